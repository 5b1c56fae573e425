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

/** `<bottle>/<task>` → status, from node-end events. */
export function endStatuses(events: Record<string, any>[]): Map<string, string> {
  return new Map(events.filter((e) => e.type === 'node-end').map((e) => [`${e.bottle}/${e.task}`, e.status]));
}
