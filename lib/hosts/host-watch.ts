/**
 * Watches the engines of a run's hosts while it runs: each is pinged every
 * few seconds, and one that has not answered for `lostAfterMs` is lost for
 * the rest of the run. A lost host's signal aborts, with why, naming the
 * host, so the work on it stops instead of waiting on a connection that
 * will never answer (a cut link hangs a TCP call for minutes). Pings never
 * overlap; timers do not keep the process alive. It knows nothing of tasks.
 */
import { describeEndpoint, type Endpoint } from '../docker/endpoint.js';
import { clientOf } from '../docker/engine-scope.js';

/** How long a host's engine may stay silent during a run before it is called lost. */
export const HOST_LOST_MS = 15_000;
const PING_EVERY_MS = 2_000;

export interface HostWatch {
  /** Aborts, with a HostLostError, once the host is lost; never for a host not watched. */
  signal(host: string): AbortSignal | undefined;
  stop(): void;
}

export class HostLostError extends Error {
  constructor(readonly host: string, message: string) {
    super(message);
    this.name = 'HostLostError';
  }
}

export interface WatchOptions {
  lostAfterMs?: number;
  everyMs?: number;
  /** Answers when the engine does; by default its `_ping`. */
  ping?: (endpoint: Endpoint, signal: AbortSignal) => Promise<unknown>;
  now?: () => number;
}

export function watchHosts(hosts: ReadonlyMap<string, Endpoint>, options: WatchOptions = {}): HostWatch {
  const lostAfter = options.lostAfterMs ?? HOST_LOST_MS;
  const every = options.everyMs ?? PING_EVERY_MS;
  // dockerode takes an abortSignal here too; its types do not say so.
  const ping =
    options.ping ??
    ((endpoint, signal) => {
      const { docker } = clientOf(endpoint);
      return (docker.ping as (opts: object) => Promise<unknown>).call(docker, { abortSignal: signal });
    });
  const now = options.now ?? Date.now;
  const watched = [...hosts].map(([name, endpoint]) => ({ name, endpoint, lastAnswer: now(), busy: false, lost: new AbortController() }));
  const tick = () => {
    for (const host of watched) {
      if (host.busy || host.lost.signal.aborted) continue;
      host.busy = true;
      ping(host.endpoint, AbortSignal.timeout(Math.min(lostAfter, 5_000)))
        .then(() => (host.lastAnswer = now()))
        .catch(() => {
          const silent = now() - host.lastAnswer;
          if (silent < lostAfter) return;
          const why = `host ${host.name} is lost: its Docker Engine at ${describeEndpoint(host.endpoint)} has not answered for ${Math.round(silent / 1000)} s`;
          host.lost.abort(new HostLostError(host.name, why));
        })
        .finally(() => (host.busy = false));
    }
  };
  const timer = setInterval(tick, every);
  timer.unref();
  return {
    signal: (name) => watched.find((h) => h.name === name)?.lost.signal,
    stop: () => clearInterval(timer),
  };
}
