/**
 * The smolvm CLI as a SmolvmTransport, through an injected runner (the real
 * `run` by default). Every step is idempotent given how smolvm answers
 * [docs/smolvm.md §10]: create on a taken name reports `exists`, start
 * of a running machine and stop of a stopped one exit 0, delete always passes
 * `--name` and `-f` (without `-f` it prompts, and a closed stdin cancels while
 * exiting 0) and treats `vm not found` as done.
 *
 * Env values never reach argv, nor smolvm's own environment under their own
 * names (a guest `HOME` or `HTTP_PROXY` there would move smolvm's state dir or
 * proxy its registry probes): create reads them from a Smolfile (`env`, a
 * 0600 file removed right after), exec from aliased variables of the runner's
 * env (`--secret-env NAME=BOTTLE_GUEST_ENV_n`, resolved by smolvm with
 * `std::env::var` [src/secrets.rs]).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../engine/index.js';
import type { RunOptions, RunResult } from '../../process/run.js';
import type { ExecResult, OpOptions } from '../types.js';
import { attachCli } from './cli-attach.js';
import { streamCli } from './cli-stream.js';
import { isNameTaken, isNotFound, smolvmError, smolvmErrorLine } from './cli-errors.js';
import { realRunner, smolvmBinary, type Runner } from './runner.js';
import type { CreateRequest, SmolvmMachine, SmolvmState, SmolvmTransport, TransportExecOptions, UploadOptions } from './transport.js';

export interface CliTransportOptions {
  runner?: Runner;
  binary?: string;
}

/** `machine ls --json` / `status --json` objects: snake_case [src/cli/vm_common.rs machine_status_json]. */
interface StatusJson {
  name: string;
  state: SmolvmState;
  created_at: number;
  labels?: Record<string, string> | null;
}

export const ENV_ALIAS_PREFIX = 'BOTTLE_GUEST_ENV_';

export function cliTransport(options: CliTransportOptions = {}): SmolvmTransport {
  const runner = options.runner ?? realRunner;
  const binary = options.binary ?? smolvmBinary();

  async function smolvm(args: readonly string[], op: RunOptions, allowFailure = false): Promise<RunResult> {
    const result = await runner(binary, args, op);
    if (result.cancelled) throw op.signal?.reason ?? new TaskError(`smolvm ${args.slice(0, 2).join(' ')} was cancelled`, { code: 'CANCELLED' });
    if (result.exitCode === -1 || (result.exitCode !== 0 && !allowFailure)) throw smolvmError(binary, args, result);
    return result;
  }

  /** For delete and stop: `vm not found` means there is nothing left to do. */
  async function doneIfMissing(args: string[], name: string, op: OpOptions): Promise<void> {
    const result = await smolvm(args, quiet(op), true);
    if (result.exitCode !== 0 && !isNotFound(result.stderr, name)) throw smolvmError(binary, args, result);
  }

  return {
    kind: 'cli',
    acceptsLocalImages: true,

    async create(request, op) {
      const env = Object.entries(request.env);
      const dir = env.length > 0 ? await mkdtemp(join(tmpdir(), 'bottle-smolvm-')) : null;
      try {
        const smolfile = dir ? join(dir, 'Smolfile') : null;
        if (smolfile) await writeFile(smolfile, smolfileWithEnv(request.env), { mode: 0o600 });
        const args = createArgs(request, smolfile);
        const result = await smolvm(args, quiet(op), true);
        if (result.exitCode === 0) return 'created';
        if (isNameTaken(result.stderr, request.name)) return 'exists';
        throw smolvmError(binary, args, result);
      } finally {
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    },

    async start(name, op) {
      const args = ['machine', 'start', '--name', name];
      const result = await smolvm(args, quiet(op), true);
      if (result.exitCode === 0) return;
      if (isNotFound(result.stderr, name)) throw new TaskError(`there is no smolvm machine ${name} to start`, { code: 'MACHINE_MISSING' });
      throw smolvmError(binary, args, result);
    },

    // A machine not running exits 0 [docs/smolvm.md §10].
    stop: (name, op) => doneIfMissing(['machine', 'stop', '--name', name], name, op),

    remove: (name, op) => doneIfMissing(['machine', 'delete', '--name', name, '-f'], name, op),

    async get(name, op) {
      const args = ['machine', 'status', '--name', name, '--json'];
      const result = await smolvm(args, probe(op), true);
      if (result.exitCode !== 0) {
        if (isNotFound(result.stderr, name)) return null;
        throw smolvmError(binary, args, result);
      }
      return machineOf(JSON.parse(result.stdout) as StatusJson);
    },

    async list(op) {
      const result = await smolvm(['machine', 'ls', '--json'], probe(op));
      return (JSON.parse(result.stdout) as StatusJson[]).map(machineOf);
    },

    async exec(name, argv, op) {
      const { args, env } = execArgs(name, argv, op);
      const result = await smolvm(args, { ...quiet(op), env, ...(op.input !== undefined ? { input: op.input as RunOptions['input'] } : {}) }, true);
      if (result.exitCode !== 0 && smolvmErrorLine(result.stderr) !== null) throw smolvmError(binary, args, result);
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr } satisfies ExecResult;
    },

    async upload(name, hostPath, guestPath, op) {
      await smolvm(uploadArgs(name, hostPath, guestPath, op), quiet(op));
    },

    // SRC split at its first ':' is the machine and the guest path: a download [src/cli/machine.rs CpCmd].
    async download(name, guestPath, hostPath, op) {
      await smolvm(['machine', 'cp', `${name}:${guestPath}`, hostPath], quiet(op));
    },

    stream: (name, argv, op) => streamCli(binary, name, argv, op),

    attach: (name, argv, op) => attachCli(binary, name, argv, op),
  };
}

function quiet(op: OpOptions): RunOptions {
  return { ...(op.signal ? { signal: op.signal } : {}), ...(op.log ? { log: op.log } : {}) };
}

/** A probe: its JSON would only clutter the task's log. */
function probe(op: OpOptions): RunOptions {
  return { ...quiet(op), echo: false, log: undefined };
}

function machineOf(json: StatusJson): SmolvmMachine {
  return { name: json.name, state: json.state, createdAt: json.created_at, labels: json.labels ?? {} };
}

/** TOML basic strings take JSON's escapes. */
export function smolfileWithEnv(env: Record<string, string>): string {
  return `env = [\n${Object.entries(env).map(([k, v]) => `  ${JSON.stringify(`${k}=${v}`)},\n`).join('')}]\n`;
}

export function createArgs(request: CreateRequest, smolfile: string | null): string[] {
  const args = ['machine', 'create', '--name', request.name, '--image', request.image];
  for (const key of Object.keys(request.labels).sort()) args.push('--label', `${key}=${request.labels[key]}`);
  if (request.cpus) args.push('--cpus', String(Math.ceil(request.cpus)));
  if (request.memoryMiB) args.push('--mem', String(request.memoryMiB));
  const networked = request.networkName !== undefined || request.net || (request.allowCidrs?.length ?? 0) > 0;
  // Explicit: under TSI an allow-list is not enforced [src/network/launch.rs].
  if (networked) args.push('--net-backend', 'virtio-net');
  if (request.networkName !== undefined) args.push('--network', request.networkName);
  if (request.net) args.push('--net');
  for (const cidr of request.allowCidrs ?? []) args.push('--allow-cidr', cidr);
  for (const m of request.mounts) {
    if (m.host.includes(':')) throw new TaskError(`cannot mount ${m.host} into a smolvm machine: smolvm splits -v at ':'; use a path without ':'`, { code: 'BAD_MOUNT' });
    args.push('-v', `${m.host}:${m.guest}${m.readonly ? ':ro' : ''}`);
  }
  if (smolfile) args.push('--smolfile', smolfile);
  if (request.command?.length) args.push('--', ...request.command);
  return args;
}

export function execArgs(name: string, argv: readonly string[], op: TransportExecOptions): { args: string[]; env: Record<string, string> } {
  const args = ['machine', 'exec', '--name', name];
  const env: Record<string, string> = {};
  Object.entries(op.env ?? {}).forEach(([key, value], i) => {
    args.push('--secret-env', `${key}=${ENV_ALIAS_PREFIX}${i}`);
    env[`${ENV_ALIAS_PREFIX}${i}`] = value;
  });
  if (op.cwd) args.push('-w', op.cwd);
  if (op.input !== undefined) args.push('-i');
  args.push('--', ...argv);
  return { args, env };
}

export function uploadArgs(name: string, hostPath: string, guestPath: string, op: UploadOptions): string[] {
  // smolvm splits SRC at its first ':' and would read such a path as a download [src/cli/machine.rs CpCmd].
  if (hostPath.includes(':')) throw new TaskError(`cannot copy ${hostPath} with smolvm machine cp: a ':' in the host path reads as machine:path; move it to a path without ':'`, { code: 'BAD_PATH' });
  return ['machine', 'cp', hostPath, `${name}:${guestPath}`, '--mode', op.mode.toString(8), '--uid', String(op.uid), '--gid', String(op.gid)];
}
