/**
 * Runs the real `bottle` (dist/bin/bottle.js, built by `npm test`) as a child
 * process and parses its NDJSON progress.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const BOTTLE = join(REPO, 'dist', 'bin', 'bottle.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  events: Record<string, any>[];
}

export async function bottle(args: string[], env: Record<string, string>, cwd = REPO): Promise<CliRun> {
  const r = await execa('node', [BOTTLE, ...args], { env, cwd, reject: false, stdin: 'ignore' });
  const stdout = String(r.stdout);
  const events = args.includes('json') ? stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { exitCode: r.exitCode ?? -1, stdout, stderr: String(r.stderr), events };
}

/** The most nodes of `tasks` running at once, from node-start and node-end events (in the order bottle wrote them). */
export function peakRunning(events: Record<string, any>[], tasks: ReadonlySet<string>): number {
  const running = new Set<string>();
  let peak = 0;
  for (const e of events) {
    if (!tasks.has(e.task)) continue;
    if (e.type === 'node-start') running.add(`${e.bottle}/${e.task}`);
    else if (e.type === 'node-end') running.delete(`${e.bottle}/${e.task}`);
    peak = Math.max(peak, running.size);
  }
  return peak;
}

/** `<bottle>/<task>` → status, from node-end events. */
export function endStatuses(events: Record<string, any>[]): Map<string, string> {
  return new Map(events.filter((e) => e.type === 'node-end').map((e) => [`${e.bottle}/${e.task}`, e.status]));
}
