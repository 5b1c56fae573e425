/**
 * bench/startup: how long `bottle` takes to start, against `node -e 0`.
 * Each command runs N times (default 15), alternating with the others so the
 * machine's noise hits all alike, after one warm-up round; medians are
 * compared. Commands: `bottle --help`, and `bottle status --state-dir <empty
 * dir>` run beside the example manifest (status needs one); if status fails,
 * `bottle validate -f examples/bottle.yaml` is measured in its place and the
 * output says so. It also lists what `--help` loads: nothing heavy (listr2,
 * zod, execa, yaml) may be among it. The last line is the RESULT line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BOTTLE = join(REPO, 'dist', 'bin', 'bottle.js');
const HEAVY = ['listr2', 'zod', 'execa', 'yaml', 'p-queue'];

interface Command {
  label: string;
  args: string[];
  cwd: string;
}

function run(command: Command): { ms: number; status: number | null; output: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, command.args, { cwd: command.cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ms: performance.now() - started, status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

function timed(command: Command): number {
  const r = run(command);
  if (r.status !== 0) throw new Error(`${command.label} exited ${r.status}: ${r.output}`);
  return r.ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Packages (node_modules) and our own files a command loads. */
function loads(command: Command): { files: number; packages: string[] } {
  const register = fileURLToPath(new URL('./load-register.js', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', register, ...command.args], { cwd: command.cwd, encoding: 'utf8' });
  const urls = r.stderr.split('\n').filter((l) => l.startsWith('LOAD ')).map((l) => l.slice(5)).filter((u) => !u.includes('/bench/startup/'));
  const packages = new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => !!p));
  return { files: urls.length, packages: [...packages].sort() };
}

function main(): void {
  const stateDir = mkdtempSync(join(tmpdir(), 'bottle-bench-state-'));
  try {
    const node: Command = { label: 'node -e 0', args: ['-e', '0'], cwd: REPO };
    const help: Command = { label: 'bottle --help', args: [BOTTLE, '--help'], cwd: REPO };
    let status: Command = { label: 'bottle status --state-dir <empty dir> (in examples/)', args: [BOTTLE, 'status', '--state-dir', stateDir], cwd: join(REPO, 'examples') };
    const probe = run(status);
    if (probe.status !== 0) {
      console.log(`bottle status failed (exit ${probe.status}: ${probe.output.split('\n')[0]}); measuring bottle validate -f examples/bottle.yaml in its place`);
      status = { label: 'bottle validate -f examples/bottle.yaml (in place of status)', args: [BOTTLE, 'validate', '-f', join(REPO, 'examples', 'bottle.yaml')], cwd: REPO };
    }
    const commands = [node, help, status];
    console.log(`bench/startup: ${RUNS} runs of each, alternating, after one warm-up round; node ${process.version}`);
    for (const c of commands) timed(c);
    const times = commands.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) commands.forEach((c, j) => times[j]!.push(timed(c)));
    const medians = times.map(median);
    const width = Math.max(...commands.map((c) => c.label.length));
    commands.forEach((c, j) => console.log(`${c.label.padEnd(width)}  median ${medians[j]!.toFixed(1)} ms  (min ${Math.min(...times[j]!).toFixed(1)}, max ${Math.max(...times[j]!).toFixed(1)})`));
    for (const c of [help, status]) {
      const { files, packages } = loads(c);
      const heavy = packages.filter((p) => HEAVY.includes(p));
      console.log(`${c.label} loads ${files} modules; packages: ${packages.join(', ') || 'none'}${heavy.length > 0 ? `  <- heavy: ${heavy.join(', ')}` : ''}`);
    }
    const [n, h, s] = medians as [number, number, number];
    console.log(`RESULT help_ratio=${(h / n).toFixed(2)} status_ratio=${(s / n).toFixed(2)}`);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main();
