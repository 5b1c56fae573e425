/**
 * bench/egress: what TLS inspection costs in the egress proxy, in one
 * process, on 127.0.0.1 only. A local HTTPS upstream (upstream.ts) is
 * reached three ways (routes.ts): directly (the floor), through the real
 * proxy by a blind CONNECT tunnel, and through an inspect rule (TLS
 * terminated at the proxy with the bottle's leaf, each request judged,
 * scanned, logged and given a credential). Each scenario (scenarios.ts)
 * runs on all three, alternating (measure.ts); the tables give median and
 * p95 in ms and requests per second, and ratios: tunnel to direct, inspect
 * to tunnel. The last line is the RESULT line, ratios only.
 *
 * Counts from the environment, timed per route: BENCH_REQUESTS (GETs kept
 * alive, per protocol; 1000), BENCH_NEW (GETs on a new connection each; 200),
 * BENCH_POSTS (1 MiB POSTs; 100), BENCH_ROUNDS (alternation rounds; 5).
 * Each is well under a second's work on 2 cores: the counts are high for the
 * medians' sake, the warm-up for the JIT's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credential } from '../../daemons/egress/credentials.js';
import { measure } from './measure.js';
import { makeBenchPki } from './pki.js';
import type { BenchProxy } from './proxy.js';
import { startBenchProxy } from './proxy.js';
import type { ScenarioFigures } from './report.js';
import { resultLine, scenarioTable } from './report.js';
import type { RouteName } from './routes.js';
import { benchRoutes, ROUTES } from './routes.js';
import { benchScenarios } from './scenarios.js';
import { summarise } from './stats.js';
import type { Summary } from './stats.js';
import type { Upstream } from './upstream.js';
import { startUpstream } from './upstream.js';

const INSPECTED = 'api.test';
const TUNNELLED = 'tunnel.test';
const CREDENTIAL: Credential = { host: INSPECTED, header: 'authorization', value: 'Bearer bench-credential-0123456789' };

function wholeNumber(name: string, fallback: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const n = Number(given);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${name} must be a whole number >= 1, got ${JSON.stringify(given)}; unset it for ${fallback}`);
  return n;
}

async function main(): Promise<void> {
  const counts = { keptAlive: wholeNumber('BENCH_REQUESTS', 1000), newEach: wholeNumber('BENCH_NEW', 200), posts: wholeNumber('BENCH_POSTS', 100) };
  const rounds = wholeNumber('BENCH_ROUNDS', 5);
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'bottle-bench-egress-'));
  let upstream: Upstream | undefined;
  let proxy: BenchProxy | undefined;
  try {
    const pki = await makeBenchPki(dir, INSPECTED, TUNNELLED);
    upstream = await startUpstream(pki.upstreamCert, CREDENTIAL);
    proxy = await startBenchProxy({ dir, pki, upstreamPort: upstream.port, inspected: INSPECTED, tunnelled: TUNNELLED, credential: CREDENTIAL });
    const routes = benchRoutes({ upstreamPort: upstream.port, proxyPort: proxy.port, inspected: INSPECTED, tunnelled: TUNNELLED, upstreamCa: pki.upstreamCa.cert, agentCa: pki.agentCa.cert });
    console.log(
      `bench/egress: direct, blind tunnel and inspected, on 127.0.0.1; ${counts.keptAlive} kept-alive GETs, ${counts.newEach} on new connections, ` +
        `${counts.posts} 1 MiB POSTs per route, in ${rounds} alternating rounds after a warm-up; node ${process.version}, ${availableParallelism()} CPUs`,
    );
    const figures: ScenarioFigures[] = [];
    for (const scenario of benchScenarios(counts)) {
      const samples = await measure(scenario, routes, { rounds, counts: upstream.counts });
      const summaries = Object.fromEntries(ROUTES.map((name) => [name, summarise(samples[name])])) as Record<RouteName, Summary>;
      figures.push({ key: scenario.key, label: scenario.label, summaries });
      console.log(scenarioTable(figures.at(-1)!).join('\n'));
    }
    console.log(`bench took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(resultLine(figures));
  } finally {
    await proxy?.close();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
