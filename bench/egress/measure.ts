/**
 * Runs one scenario on every route: untimed warm-up requests per route
 * (half as many as are timed), then the timed ones in `rounds` shares, the
 * routes taking turns in an order that rotates each round, so the machine's
 * noise and a warmer heap fall on all of them alike. After each share it checks with the
 * upstream that every request arrived, carrying the injected credential on
 * an inspected route and not on the others; a miss is an error, as figures
 * from a proxy that did not inspect would be wrong. It does not print.
 */
import type { RouteName, Route } from './routes.js';
import { ROUTES } from './routes.js';
import type { Scenario } from './scenarios.js';
import type { Counts } from './upstream.js';

export interface MeasureOptions {
  readonly rounds: number;
  readonly counts: () => Counts;
}

/** The size of share `round` when `n` requests are split into `rounds` near-equal shares. */
function share(n: number, rounds: number, round: number): number {
  return Math.floor(((round + 1) * n) / rounds) - Math.floor((round * n) / rounds);
}

async function checked(scenario: Scenario, route: Route, n: number, counts: () => Counts): Promise<number[]> {
  const before = counts();
  const ms = await scenario.run(route, n);
  const after = counts();
  const served = after.served - before.served;
  const credentialed = after.credentialed - before.credentialed;
  const expected = route.inspects ? n : 0;
  if (served !== n || credentialed !== expected) {
    throw new Error(`${scenario.label} via ${route.name}: the upstream saw ${served} requests, ${credentialed} with the credential; expected ${n}, ${expected} with it`);
  }
  return ms;
}

export async function measure(scenario: Scenario, routes: Record<RouteName, Route>, options: MeasureOptions): Promise<Record<RouteName, number[]>> {
  // Untimed, and long: the JIT takes about a thousand requests to settle, and settles sooner on the shorter paths.
  const warmUp = Math.max(20, Math.ceil(scenario.requests / 2));
  for (const name of ROUTES) await checked(scenario, routes[name], warmUp, options.counts);
  const samples: Record<RouteName, number[]> = { direct: [], tunnel: [], inspect: [] };
  for (let round = 0; round < options.rounds; round++) {
    const n = share(scenario.requests, options.rounds, round);
    if (n === 0) continue;
    const order = ROUTES.map((_, i) => ROUTES[(i + round) % ROUTES.length]!);
    for (const name of order) samples[name].push(...(await checked(scenario, routes[name], n, options.counts)));
  }
  return samples;
}
