/**
 * The docker CLI, through lib/process/run. A non-zero exit becomes a TaskError
 * that names the docker subcommand and its last stderr line; a daemon that
 * cannot be reached is transient (it may be starting). It knows nothing of
 * bottles.
 */
import { TaskError } from '../engine/index.js';
import { run, type RunOptions, type RunResult } from '../process/run.js';
import { dockerBinary } from './binary.js';

export { dockerBinary };

export type DockerOptions = RunOptions & {
  /** Exit codes that are not an error (the caller reads `exitCode`); 'any' for a guest command's own. */
  allow?: readonly number[] | 'any';
};

const TRANSIENT = /Cannot connect to the Docker daemon|connection refused|i\/o timeout|TLS handshake timeout|context deadline exceeded/i;


export async function docker(args: readonly string[], options: DockerOptions = {}): Promise<RunResult> {
  const result = await run(dockerBinary(), args, options);
  if (result.cancelled) throw options.signal?.reason ?? new TaskError(`docker ${args[0]} was cancelled`, { code: 'CANCELLED' });
  const allowed = options.allow === 'any' ? result.exitCode >= 0 : options.allow?.includes(result.exitCode);
  if (result.exitCode !== 0 && !allowed) throw dockerError(args, result);
  return result;
}

export function dockerError(args: readonly string[], result: RunResult): TaskError {
  const last = result.stderr.trim().split('\n').filter(Boolean).at(-1) ?? '(no output)';
  const what = args.slice(0, 2).join(' ');
  if (result.exitCode === -1 || /ENOENT/.test(result.stderr)) {
    return new TaskError(`the docker CLI could not be run (${dockerBinary()}); install Docker or set BOTTLE_DOCKER`, {
      code: 'DOCKER_MISSING',
    });
  }
  return new TaskError(`docker ${what} failed (exit ${result.exitCode}): ${last}`, {
    code: TRANSIENT.test(result.stderr) ? 'DOCKER_UNAVAILABLE' : 'DOCKER_FAILED',
    transient: TRANSIENT.test(result.stderr),
  });
}

/** The fields of `docker network inspect` we read. */
export interface NetworkInspect {
  Id: string;
  Name: string;
  Internal: boolean;
  Options?: Record<string, string> | null;
  IPAM: { Config: { Subnet?: string }[] | null };
  Containers?: Record<string, { Name: string }>;
}

/** `docker inspect` of several objects at once; missing ones are simply absent. */
export async function inspectMany<T>(kind: 'container' | 'network' | 'image', names: readonly string[], options: RunOptions = {}): Promise<T[]> {
  if (names.length === 0) return [];
  // A probe: its JSON and "No such object" would only clutter the task's log.
  const result = await docker([kind, 'inspect', ...names], { signal: options.signal, allow: [1], echo: false });
  const text = result.stdout.trim();
  if (result.exitCode !== 0 && !/No such|not found/i.test(result.stderr)) throw dockerError([kind, 'inspect'], result);
  return text.startsWith('[') ? (JSON.parse(text) as T[]) : [];
}
