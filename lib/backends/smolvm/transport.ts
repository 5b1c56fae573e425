/**
 * The one interface both ways of driving smolvm implement: its CLI
 * (cli.ts) and the HTTP API of `smolvm serve` (http.ts). Each operation
 * is idempotent the way the backend needs it (a missing machine on remove is
 * success, create on a taken name reports `exists` instead of failing) and
 * fails with a TaskError that says whether a retry may help. It knows
 * nothing of bottles: the backend (backend.ts) maps MachineSpecs onto it.
 */
import type { ExecOptions, ExecResult, GuestProcess, OpOptions } from '../types.js';

/** smolvm's record states [src/config.rs RecordState]. */
export type SmolvmState = 'created' | 'running' | 'stopped' | 'failed' | 'unreachable' | 'frozen';

export interface SmolvmMachine {
  name: string;
  state: SmolvmState;
  /** Unix seconds; a recreated machine has a new one. */
  createdAt: number;
  /** null where the transport cannot store labels (the HTTP API has none). */
  labels: Record<string, string> | null;
}

export interface CreateRequest {
  name: string;
  /** A registry reference, or (CLI only) a `docker save` archive path. */
  image: string;
  labels: Record<string, string>;
  /** Values go to smolvm out of band (the CLI's environment, the API's body), never argv. */
  env: Record<string, string>;
  cpus?: number;
  memoryMiB?: number;
  /** A named inter-VM network (`--network`): members reach each other directly. */
  networkName?: string;
  /** Unrestricted egress (the bundle's way out). */
  net?: boolean;
  /** Egress only to these CIDRs (an allow-list in force). */
  allowCidrs?: string[];
  mounts: { host: string; guest: string; readonly: boolean }[];
  command?: string[];
}

export interface TransportExecOptions extends OpOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** The CLI pipes any of these; the HTTP API takes a string only. */
  input?: ExecOptions['input'];
}

export interface AttachOptions {
  cwd?: string;
  tty: boolean;
}

export interface UploadOptions extends OpOptions {
  mode: number;
  uid: number;
  gid: number;
}

export interface SmolvmTransport {
  readonly kind: 'cli' | 'http';
  /** Whether `image` may be a local archive (the API stores image strings raw, without staging). */
  readonly acceptsLocalImages: boolean;
  create(request: CreateRequest, options: OpOptions): Promise<'created' | 'exists'>;
  /** Running afterwards; already running is success. */
  start(name: string, options: OpOptions): Promise<void>;
  /** Not running afterwards, kept; stopped already or missing is success. */
  stop(name: string, options: OpOptions): Promise<void>;
  /** Gone afterwards, whether it existed or not. */
  remove(name: string, options: OpOptions): Promise<void>;
  /** null when there is no such machine. */
  get(name: string, options: OpOptions): Promise<SmolvmMachine | null>;
  list(options: OpOptions): Promise<SmolvmMachine[]>;
  /** The guest command's exit code is a result, not an error; smolvm's own failures throw. */
  exec(name: string, argv: readonly string[], options: TransportExecOptions): Promise<ExecResult>;
  /** One regular file, written atomically with this mode and owner. */
  upload(name: string, hostPath: string, guestPath: string, options: UploadOptions): Promise<void>;
  /** One regular file of the guest, read as root, into the new host file `hostPath`. */
  download(name: string, guestPath: string, hostPath: string, options: OpOptions): Promise<void>;
  /** argv with its stdin and stdout streamed while it runs. Absent where the transport buffers exec output (HTTP). */
  stream?(name: string, argv: readonly string[], options: { signal?: AbortSignal }): Promise<GuestProcess>;
  /** argv with this process's stdio; resolves to its exit code. Absent where the transport has no terminal (HTTP). */
  attach?(name: string, argv: readonly string[], options: AttachOptions): Promise<number>;
}
