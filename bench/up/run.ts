/**
 * bench/up: `bottle up` of n bottles on the real dockerd against
 * docker-compose bringing up the same containers and networks, read back
 * from what bottle made (copy.ts), so the bench follows bottle's layout
 * wherever it goes. Timed: bottle up cold and again (a no-op), then, once
 * bottle is down, compose up cold and again (bottle-phase.ts,
 * compose-phase.ts). From bottle's NDJSON: the lower bound of its run
 * (lower-bound.ts) and when the first bottle was ready. The last line is
 * the RESULT line (report.ts). Everything made is removed, on failure and
 * Ctrl-C too (cleanup.ts); the images bottle builds stay, as its cache.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bottlePlain, bottlesOf } from './bottle.js';
import { bottleRuns, defaultConcurrency } from './bottle-phase.js';
import { sweepBottles, type Made } from './bottle-sweep.js';
import { Cleanup } from './cleanup.js';
import { composeVersion } from './compose.js';
import { composeRuns } from './compose-phase.js';
import { makeCopy } from './copy.js';
import { putBack } from './host-mounts.js';
import { networkIds } from './inspect.js';
import { MANIFEST } from './manifest.js';
import { problemsOf, report } from './report.js';
import { mustRun, seconds } from './timing.js';

const log = (line: string) => console.log(line);

function parseOptions(argv: string[]): { n: number } {
  let values: { n?: string };
  try {
    values = parseArgs({ args: argv, options: { n: { type: 'string', default: '30' } } }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}; usage: npm run bench:up -- [--n N]`);
  }
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n: expected a whole number of bottles, 1 or more, got "${values.n}"`);
  return { n };
}

async function bench(n: number, signal: AbortSignal, cleanup: Cleanup): Promise<number> {
  const started = performance.now();
  const concurrency = defaultConcurrency();
  const server = (await mustRun('docker', ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  log(`bench/up: n=${n}, bottle -j ${concurrency} (its default), dockerd ${server}, docker-compose ${await composeVersion()}, node ${process.version}`);

  const work = await mkdtemp(join(tmpdir(), 'bottle-bench-up-'));
  cleanup.add(`remove ${work}`, () => rm(work, { recursive: true, force: true }));
  const manifest = join(work, 'bottle.yaml');
  await writeFile(manifest, MANIFEST);
  const env = { ...process.env, BOTTLE_STATE_DIR: join(work, 'state') };
  const made: Made = { slugs: new Set(), networks: new Set() };
  const networksBefore = await networkIds();
  cleanup.add('remove what bottle down left', () => sweepBottles(made, log));
  cleanup.add('bottle down --purge', () => bottlePlain(['down', '-f', manifest, '--purge'], { env }));

  const bottle = await bottleRuns(n, concurrency, {
    manifest,
    env,
    signal,
    onBottles: (slugs) => slugs.forEach((s) => made.slugs.add(s)),
    log,
  });

  log('== reading back what bottle made; writing the compose copy');
  const copy = await makeCopy(bottlesOf(bottle.cold), work);
  for (const net of copy.back.networks) if (!networksBefore.has(net.Id)) made.networks.add(net.Id);
  const moved = copy.moves.map((m) => `${m.from}->${m.to}`);
  log(`   ${copy.compose.services.length} containers, ${copy.compose.networks.length} networks, ${copy.saved.length} host paths mounted; subnets moved: ${moved.slice(0, 3).join(', ')}${moved.length > 3 ? ', ...' : ''}`);

  log('== bottle down --purge');
  const down = await bottlePlain(['down', '-f', manifest, '--purge'], { env, signal });
  const restored = await putBack(copy.saved);
  log(`   ${seconds(down.ms)} s; ${restored.length} mounted host paths put back for compose`);

  const compose = await composeRuns(copy.file, copy.compose.services.length, signal, cleanup, log);
  const figures = {
    n,
    bottle,
    bottleDownMs: down.ms,
    compose,
    containers: copy.compose.services.length,
    networks: copy.compose.networks.length,
    benchMs: performance.now() - started,
  };
  for (const line of report(figures)) log(line);
  return problemsOf(figures).length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  let n: number;
  try {
    ({ n } = parseOptions(process.argv.slice(2)));
  } catch (error) {
    console.error(`bench/up: ${(error as Error).message}`);
    return 2;
  }
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return log(`\nbench/up: ${sig}: still cleaning up, please wait`);
    log(`\nbench/up: ${sig}: stopping, then cleaning up`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cleanup = new Cleanup();
  let code = 1;
  try {
    code = await bench(n, controller.signal, cleanup);
  } catch (error) {
    console.error(`bench/up failed: ${error instanceof Error ? error.message : String(error)}`);
    code = controller.signal.aborted ? 130 : 1;
  } finally {
    const failed = await cleanup.run((line) => console.error(line));
    if (failed.length > 0 && code === 0) code = 1;
  }
  return code;
}

process.exitCode = await main();
