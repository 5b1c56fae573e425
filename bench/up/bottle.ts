/**
 * The real `bottle` (dist/bin/bottle.js) as a child process, with
 * `--progress json`: its NDJSON events, each stamped with when it arrived
 * (ms since spawn; the events carry no clock of their own).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, timed, type Timed, type TimedOptions } from './timing.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BOTTLE = join(REPO, 'dist', 'bin', 'bottle.js');

export interface BottleEvent {
  type: string;
  bottle?: string;
  task?: string;
  status?: string;
  durationMs?: number;
  error?: string;
  bottles?: string[];
  [key: string]: unknown;
}

export interface BottleRun extends Timed {
  events: { event: BottleEvent; atMs: number }[];
}

/** `bottle <args> --progress json`; never throws for a non-zero exit (the caller counts failures). */
export async function bottleJson(args: readonly string[], options: TimedOptions): Promise<BottleRun> {
  const events: BottleRun['events'] = [];
  const junk: string[] = [];
  const r = await timed(process.execPath, [BOTTLE, ...args, '--progress', 'json'], {
    ...options,
    onLine: (line, atMs) => {
      try {
        events.push({ event: JSON.parse(line) as BottleEvent, atMs });
      } catch {
        junk.push(line);
      }
    },
  });
  if (junk.length > 0) throw new Error(`bottle ${args[0]} wrote ${junk.length} line(s) on stdout that are not JSON with --progress json, first: ${junk[0]!.slice(0, 200)}`);
  return { ...r, events };
}

/** `bottle <args>`, failing on a non-zero exit. */
export function bottlePlain(args: readonly string[], options: TimedOptions): Promise<Timed> {
  return mustRun(process.execPath, [BOTTLE, ...args, '--progress', 'plain'], options);
}

/** The bottles of a run (its run-start event), without the run-scoped `_run`. */
export function bottlesOf(run: BottleRun): string[] {
  const start = run.events.find((e) => e.event.type === 'run-start')?.event;
  return (start?.bottles ?? []).filter((b) => b !== '_run');
}

/** Each node's last node-end. */
export function nodeEnds(run: BottleRun): (BottleEvent & { bottle: string; task: string; status: string; durationMs: number; atMs: number })[] {
  const last = new Map<string, BottleEvent & { atMs: number }>();
  for (const { event, atMs } of run.events) if (event.type === 'node-end') last.set(`${event.bottle}/${event.task}`, { ...event, atMs });
  return [...last.values()].map((e) => ({ ...e, bottle: e.bottle!, task: e.task!, status: e.status!, durationMs: e.durationMs ?? 0 }));
}

export interface Readiness {
  ready: string[];
  /** Bottles whose `ready` did not end done (or up to date), with why. */
  failed: { bottle: string; why: string }[];
  /** ms since spawn of the first `ready` that ended done. */
  firstReadyMs: number | null;
}

export function readiness(run: BottleRun, okStatuses: readonly string[] = ['done']): Readiness {
  const ends = nodeEnds(run);
  const ready: string[] = [];
  const failed: Readiness['failed'] = [];
  let firstReadyMs: number | null = null;
  for (const bottle of bottlesOf(run)) {
    const end = ends.find((e) => e.bottle === bottle && e.task === 'ready');
    if (end && okStatuses.includes(end.status)) {
      ready.push(bottle);
      if (end.status === 'done' && (firstReadyMs === null || end.atMs < firstReadyMs)) firstReadyMs = end.atMs;
      continue;
    }
    const cause = ends.find((e) => e.bottle === bottle && e.status === 'failed') ?? ends.find((e) => e.bottle === '_run' && e.status === 'failed');
    failed.push({ bottle, why: cause ? `${cause.task} failed: ${cause.error ?? '(no message)'}` : `ready ${end?.status ?? 'never ended'}` });
  }
  return { ready, failed, firstReadyMs };
}
