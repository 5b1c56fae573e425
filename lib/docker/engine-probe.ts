/**
 * Asks one Docker Engine what `bottle hosts` shows: whether it answers, its
 * version, OS and architecture, CPUs and memory, and how many running
 * containers carry given labels. The whole probe is bounded by one timeout
 * (and the caller's signal), so a host gone costs that long at most; the
 * calls are not retried (retry.ts waits longer than that for a restart).
 * What went wrong is one line, never a throw. It knows nothing of bottles:
 * the caller says which labels to count.
 */
import { describeEndpoint, type Endpoint } from './endpoint.js';
import { clientOf } from './engine-scope.js';

export interface EngineFacts {
  version: string;
  os: string;
  arch: string;
  cpus: number;
  memoryBytes: number;
  /** Running containers carrying every label asked for. */
  labelled: number;
}

export type EngineProbe = ({ reachable: true } & EngineFacts) | { reachable: false; error: string };

export interface ProbeOptions {
  /** `key=value` labels a container must all carry to be counted. */
  labels: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function probeEngine(endpoint: Endpoint, options: ProbeOptions): Promise<EngineProbe> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const abortSignal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const { docker } = clientOf(endpoint);
  const ask = async (): Promise<EngineProbe> => {
    const [version, info, containers] = await Promise.all([
      // dockerode takes an abortSignal here too; its types do not say so.
      (docker.version as (opts: object) => Promise<{ Version: string; Os: string; Arch: string }>).call(docker, { abortSignal }),
      (docker.info as (opts: object) => Promise<{ NCPU?: number; MemTotal?: number }>).call(docker, { abortSignal }),
      docker.listContainers({ abortSignal, filters: JSON.stringify({ label: options.labels }) }),
    ]);
    return { reachable: true, version: version.Version, os: version.Os, arch: version.Arch, cpus: info.NCPU ?? 0, memoryBytes: info.MemTotal ?? 0, labelled: containers.length };
  };
  // Not every transport heeds the signal (ssh may not): the race bounds the wait whatever it does.
  const expired = new Promise<never>((_, reject) => abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true }));
  try {
    return await Promise.race([ask(), expired]);
  } catch (error) {
    if (timeout.aborted) return { reachable: false, error: `no answer from ${describeEndpoint(endpoint)} within ${options.timeoutMs / 1000} s` };
    return { reachable: false, error: `${describeEndpoint(endpoint)}: ${oneLine(error)}` };
  } finally {
    expired.catch(() => undefined);
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim() || 'failed without a message';
}
