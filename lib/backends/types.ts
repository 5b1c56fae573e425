/**
 * What a backend does for a bottle: its network, its machines (the agent and
 * the bundle), exec, copies both ways, streamed commands and status; and
 * what a plan must know of it before anything runs (addresses, ranges,
 * hints). Docker and smolvm
 * implement it; tasks, plans and the CLI call only this, so what differs
 * between backends lives behind it. Every operation is idempotent and takes
 * the task's signal.
 */
import type { BackendKind } from './kinds.js';
import type { OpOptions } from '../process/op-options.js';
import type { GuestEntry } from './guest-files.js';

export type { BackendKind };

export type { OpOptions };

export interface ExecOptions extends OpOptions {
  /** Guest user; default: the image's. */
  user?: string;
  cwd?: string;
  /** Environment for the command. Values never reach argv or logs. */
  env?: Record<string, string>;
  /** stdin for the command. */
  input?: string | Uint8Array | NodeJS.ReadableStream;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface MachineSpec {
  name: string;
  image: string;
  /** Labels every object of the bottle carries. */
  labels: Record<string, string>;
  /** Hash of everything that shapes the machine: a change recreates it. */
  configHash: string;
  env: Record<string, string>;
  user?: string;
  cpus?: number;
  memoryMiB?: number;
  /** Most processes at once. */
  pids?: number;
  /** A cap on the machine's own disk, where the backend can set one. */
  diskMiB?: number;
  /** Nothing but mounts and a small /tmp is writable. */
  readOnlyRoot?: boolean;
  /**
   * Where the machine's resolver sends what it cannot answer itself (the
   * agent: its bundle, so no lookup leaves the bottle). Docker only: smolvm
   * has no such setting for the guest (smolvm/fabric.ts).
   */
  dns?: string[];
  /** The bottle's private network and the fixed address there, if any. */
  network: string;
  ip?: string;
  /** Further networks (the bundle's way out). */
  extraNetworks?: { name: string }[];
  /** This host's paths: only where the backend `sharesHostPaths`. */
  mounts?: { host: string; guest: string; readonly: boolean }[];
  /** Named volumes (package caches; a bundle's directories on a remote engine), made when missing and owned by `user`; Docker only. */
  volumes?: { name: string; guest: string; labels: Record<string, string> }[];
  command?: string[];
  /**
   * Files a new machine holds before it first starts, made once it exists:
   * `read` reads a file of it (as its image has it, on Docker). Reused
   * machines get none.
   */
  initialFiles?: (read: ReadMachineFile) => Promise<FilesRequest[]>;
}

export type ReadMachineFile = (path: string, maxBytes: number) => Promise<Buffer | undefined>;

/** Files to put under one guest directory (which must exist), owned by `user` (guest-files.ts). */
export interface FilesRequest {
  dir: string;
  entries: GuestEntry[];
  user: string;
}

export interface MachineInfo {
  name: string;
  /** Changes whenever the machine is recreated, so dependents re-run. */
  id: string;
  /** True when this call created (or recreated) it. */
  created: boolean;
}

export type MachineState = 'running' | 'stopped' | 'missing';

/** A bottle's network, as its plan names it. */
export interface NetworkSpec {
  /** The bottle's own network: the agent and the bundle on it, no way out. */
  name: string;
  /** The bundles' way out (Docker: one bridge network they all share, on the pool's egress block; smolvm: unrestricted egress, `--net`). */
  egress: { name: string; subnet: string | null };
  /** A subnet of the pool, where the backend takes one (`takesSubnets`). */
  subnet: string | null;
  labels: Record<string, string>;
}

export interface NetworkInfo {
  network: string;
  /** Changes when the network is made anew, so what is attached to it is recreated too; null where there is no network object. */
  id: string | null;
}

/** A machine or network that carries `bot-bottle.slug` (labels.ts), as a backend lists it: whoever made it, from whichever state root. */
export interface LabelledObject {
  type: 'machine' | 'network';
  name: string;
  labels: Record<string, string>;
}

/** A tar archive on the host holding one tree (a file, a directory or a link) under its one top-level name (`bottle cp`). */
export interface TreeArchive {
  file: string;
  top: string;
}

/** A command running in a guest with its stdin and stdout as streams (`bottle port`'s relays). */
export interface GuestProcess {
  /** Its stdin; ending it closes the command's stdin. */
  stdin: NodeJS.WritableStream;
  /** Its stdout, ending when the command ends. */
  stdout: NodeJS.ReadableStream;
  /** Settles once the command has ended, with the end of what it printed on stderr. */
  ended: Promise<{ stderr: string }>;
  /** Ends the command in the guest if it still runs (not only the host's end of it); settles once that is under way, within seconds. */
  stop(): Promise<void>;
}

/** Where the agent finds its bundle. */
export interface BundleAddress {
  ip: string;
  /** What the agent's URLs name: the bundle's name where the network has DNS, else its address. */
  host: string;
}

/** The IPv4 subnets a backend's networks hold now: bottles' own (by network name) and everyone else's. */
export interface SubnetsInUse {
  inUse: string[];
  own: Map<string, string>;
}

export interface Backend {
  readonly kind: BackendKind;
  /** Whether each bottle's network takes a subnet of the pool (lib/net/subnets.ts). */
  readonly takesSubnets: boolean;
  /**
   * Whether a machine can mount this host's paths (`MachineSpec.mounts`): an
   * engine on this machine (a unix socket; smolvm). A remote engine (tcp://,
   * ssh://) cannot: the bundle keeps its directories in volumes, synced with
   * the host's (lib/provision/bundle-sync.ts).
   */
  readonly sharesHostPaths: boolean;
  /**
   * The guest user (`uid:gid`) that is this process's user on a machine's
   * `mounts`, where guest ids are not the host's: a rootless Docker Engine's
   * root ('0:0'; its other ids are subordinate ids that cannot open the
   * user's private directories). Undefined, or absent: the same ids.
   */
  hostUserInGuest?(options?: OpOptions): Promise<string | undefined>;
  /** The subnets its networks hold now; `ownNetworks` maps network names to the bottles they are. */
  subnetsInUse(ownNetworks: ReadonlySet<string>, options?: OpOptions): Promise<SubnetsInUse>;
  bundleAddress(network: NetworkSpec, bundle: string): BundleAddress;
  /** Ranges the bundle's proxy refuses as destinations beyond the private ones: where the bottles live. `pool`: the subnet pool. */
  reservedRanges(pool: string): string[];
  /** A sentence saying where a machine that stopped tells why. */
  whyStopped(machine: string): string;
  ensureNetwork(network: NetworkSpec, options: OpOptions): Promise<NetworkInfo>;
  startMachine(spec: MachineSpec, options: OpOptions): Promise<MachineInfo>;
  exec(machine: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Files and trees into the guest, owned by the request's user, following no link the guest made (guest-files.ts). */
  putFiles(machine: string, files: FilesRequest, options: OpOptions): Promise<void>;
  /**
   * The guest tree at the absolute `path` (a file, a directory or a link),
   * packed by `user` with tar (links as links, never followed) into the host
   * file `archive`, its top-level entry named after the path's last part. A
   * path that is not there: a TaskError with code `NO_SUCH_PATH`.
   */
  copyOut(machine: string, path: string, archive: string, options: OpOptions & { user: string }): Promise<void>;
  /**
   * The archive unpacked by `user` at the absolute guest `path` as `docker cp`
   * places a copy: into `path` when it is a directory, else as `path`; owned
   * by `user`, modes kept. A destination it cannot take (no parent, a
   * directory onto a file): a TaskError with code `COPY_REFUSED`.
   */
  copyIn(machine: string, archive: TreeArchive, path: string, options: OpOptions & { user: string }): Promise<void>;
  /** argv in the guest as `user` with its stdin and stdout streamed while it runs; the signal stops it. A TaskError where the backend cannot stream. */
  execStream(machine: string, argv: readonly string[], options: { user: string; signal?: AbortSignal }): Promise<GuestProcess>;
  /** A regular file of the guest, read as `user`, or undefined (missing, not a regular file, over `maxBytes`). */
  readFile(machine: string, path: string, options: OpOptions & { user: string; maxBytes: number }): Promise<Buffer | undefined>;
  /** Whether the bottle's network is there as planned (a cheap probe). */
  networkExists(network: NetworkSpec, options?: OpOptions): Promise<boolean>;
  /**
   * Runs argv in the guest with this process's stdin/stdout/stderr (a
   * terminal when `tty`); resolves to the command's exit code.
   */
  attach(machine: string, argv: readonly string[], options: { user: string; cwd?: string; tty: boolean }): Promise<number>;
  /** What the machine's main process printed (`follow`: and what comes, until the signal aborts); a TaskError where the backend keeps none. */
  logs(machine: string, options: { follow: boolean; signal?: AbortSignal; stdout(chunk: Buffer): void; stderr(chunk: Buffer): void }): Promise<void>;
  /** What a machine is, for many at once: from the run's inventory, or asked anew with `fresh`. */
  status(machines: readonly string[], options?: OpOptions & { fresh?: boolean }): Promise<Map<string, MachineState>>;
  /**
   * Every machine and network carrying `bot-bottle.slug`, of every bottle and
   * state root (`bottle doctor` judges whose they are); absent where the
   * backend cannot list labels.
   */
  listLabelled?(options?: OpOptions): Promise<LabelledObject[]>;
  /**
   * Not running afterwards, kept with its disk, config and networks (`bottle
   * stop`); a machine stopped already, or missing, is success. `graceSeconds`:
   * how long its main process may take to exit before it is killed, where the
   * backend has such a wait (Docker's stop timeout; smolvm has none).
   */
  stopMachine(machine: string, options: OpOptions & { graceSeconds?: number }): Promise<void>;
  /**
   * The machine as it was made, running again (`bottle start`): never made
   * anew, so its id and files stay; running already is success. A TaskError
   * with code MACHINE_MISSING when it does not exist.
   */
  resumeMachine(machine: string, options: OpOptions): Promise<void>;
  /** Gone afterwards, whether it existed or not. */
  removeMachine(machine: string, options: OpOptions): Promise<void>;
  /** Removes the volumes carrying all of `labels` (a manifest's caches); absent where a backend makes none. Their names. */
  removeVolumes?(labels: Record<string, string>, options: OpOptions): Promise<string[]>;
  removeNetwork(network: NetworkSpec, options: OpOptions): Promise<void>;
  /**
   * The same backend on a runner that runs nothing and tells `onCommand` each
   * command that would change something, in order (`bottle up --dry-run`);
   * absent where the backend has no commands worth showing.
   */
  recording?(onCommand: (file: string, args: readonly string[]) => void): Backend;
}
