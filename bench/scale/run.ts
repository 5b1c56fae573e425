/**
 * bench/scale: `bottle up` of 1,000 bottles (`--n N` for another count) on a
 * backend that does nothing, twice over one temp state root: first from
 * scratch (every node runs), then again (every node up to date: what a re-up
 * costs in the engine). Each run is its own process (up-once.ts), as each
 * `bottle up` is, so each peak RSS is that run's alone: the kernel's
 * high-water mark (process.resourceUsage().maxRSS), not a sample. wall_s is
 * the run from taking the locks to the recap, without node's start-up and
 * the manifest. Prints each run's phases, then `REUP ...` for the second run
 * and, last, `RESULT bottles=<n> wall_s=<s> peak_mb=<MB>` for the first.
 * `-j N` (`--concurrency`) runs both at another concurrency than `bottle up`'s default.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { noWorkUpGraph } from './no-work-up.js';
import type { UpOnce } from './up-once.js';

const UP_ONCE = fileURLToPath(new URL('./up-once.js', import.meta.url));

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${flag} must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return n;
}

function upOnce(root: string, n: number, j: number | undefined): UpOnce & { processS: number } {
  const started = performance.now();
  const args = [UP_ONCE, '--root', root, '--n', String(n), ...(j ? ['-j', String(j)] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const processS = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`up-once.js exited ${r.status ?? r.signal}: ${r.stdout.trim()}`);
  return { ...(JSON.parse(r.stdout) as UpOnce), processS };
}

function line(label: string, n: number, r: UpOnce & { processS: number }): string {
  const p = r.phasesS;
  const phases = `locks ${p.locks.toFixed(2)}, run ${p.run.toFixed(2)}, close ${p.close.toFixed(2)}, release ${p.release.toFixed(2)}, recap ${p.recap.toFixed(3)}`;
  const counts = Object.entries(r.counts).filter(([, c]) => c > 0).map(([s, c]) => `${c} ${s}`).join(', ');
  const after = r.afterRunMb;
  return (
    `${label}: ${n} bottles, ${r.status} (${counts}) in ${r.wallS.toFixed(2)} s (${phases}; process ${r.processS.toFixed(2)} s), ` +
    `${r.recordWrites} record writes, cpu ${r.cpuS.user.toFixed(1)} s user + ${r.cpuS.system.toFixed(1)} s system, peak RSS ${r.peakMb.toFixed(1)} MB (after the run: rss ${after.rss.toFixed(1)}, heap ${after.heapUsed.toFixed(1)}, external ${after.external.toFixed(1)})`
  );
}

/** Nodes of a run of n bottles: the run-scoped tasks once, the others once per bottle. */
function nodesOf(n: number): number {
  const tasks = noWorkUpGraph().tasks;
  const perRun = tasks.filter((t) => t.scope === 'run').length;
  return perRun + n * (tasks.length - perRun);
}

function check(label: string, r: UpOnce, status: string, n: number): void {
  const nodes = nodesOf(n);
  if (r.status !== 'ok' || r.counts[status] !== nodes) {
    throw new Error(`${label}: expected ${nodes} nodes ${status}, got ${r.status} ${JSON.stringify(r.counts)}`);
  }
}

function main(): void {
  const { values } = parseArgs({ options: { n: { type: 'string' }, concurrency: { type: 'string', short: 'j' } } });
  const n = values.n === undefined ? 1000 : wholeNumber('--n', values.n);
  // Unset: up-once.ts uses `bottle up`'s default.
  const j = values.concurrency === undefined ? undefined : wholeNumber('-j', values.concurrency);
  const root = mkdtempSync(join(tmpdir(), 'bottle-bench-scale-'));
  try {
    console.log(`bench/scale: bottle up of ${n} bottles on a no-work backend, state in ${root}, node ${process.version}`);
    const first = upOnce(root, n, j);
    check('first run', first, 'done', n);
    console.log(line('up (from scratch)', n, first));
    const again = upOnce(root, n, j);
    check('re-up', again, 'up-to-date', n);
    console.log(line('re-up (all up to date)', n, again));
    const records = readdirSync(root).length;
    if (records !== n + 1) throw new Error(`expected ${n + 1} item directories in the state root, found ${records}`);
    console.log(`REUP bottles=${n} wall_s=${again.wallS.toFixed(2)} peak_mb=${again.peakMb.toFixed(1)}`);
    console.log(`RESULT bottles=${n} wall_s=${first.wallS.toFixed(2)} peak_mb=${first.peakMb.toFixed(1)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
