/**
 * The named limits `bottle up` holds its work to, with their defaults from
 * the kind of work: image builds take every core (one at a time), the
 * machine backend's calls are I/O (many at once), host work that is CPU
 * (key generation) goes as wide as the cores. A manifest's `limits:` and
 * `--limit name=N` change them; `-j` caps everything at once.
 */
import { availableParallelism } from 'node:os';

export const LIMIT_NAMES = ['docker-build', 'backend', 'cpu'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export const IMAGE_BUILD: LimitName = 'docker-build';
export const BACKEND_CALLS: LimitName = 'backend';
export const HOST_CPU: LimitName = 'cpu';

export const LIMIT_HELP: Record<LimitName, string> = {
  'docker-build': 'image builds at once (each takes every core)',
  backend: 'calls to the machine backend at once (Docker Engine API, smolvm)',
  cpu: 'CPU-heavy host work at once (key generation)',
};

/** The highest a limit may be set to. */
export const MAX_LIMIT = 1024;

/** The global cap (`-j`) by default: the backend's calls, which are I/O, are what most nodes do. */
export const DEFAULT_CONCURRENCY = 32;

/**
 * The backend's calls are I/O for bottle, but the engine doing them is mostly
 * CPU (container starts, archive unpacks): twice the cores keeps it busy
 * without making every bottle wait on every other (measured with
 * `npm run bench:up`: 16 at once gave the same total and a first bottle ready
 * twice as late). A remote or larger engine wants `--limit backend=N`.
 */
export function defaultLimits(): Record<LimitName, number> {
  const cores = Math.max(1, availableParallelism());
  return { 'docker-build': 1, backend: Math.max(4, 2 * cores), cpu: cores };
}
