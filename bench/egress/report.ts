/**
 * The bench's output: a table per scenario (each route's median and p95 in
 * ms and requests per second, with the ratio of its median to the route
 * below it: tunnel to direct, inspect to tunnel, p95 ratios beside), and the
 * RESULT line with those median ratios. Ratios only are meant to be
 * compared between runs: the machines are noisy. It only formats.
 */
import type { RouteName } from './routes.js';
import { ROUTES } from './routes.js';
import type { ScenarioKey } from './scenarios.js';
import type { Summary } from './stats.js';

export interface ScenarioFigures {
  readonly key: ScenarioKey;
  readonly label: string;
  readonly summaries: Record<RouteName, Summary>;
}

/** What each route is compared to. */
const BASE: Record<RouteName, RouteName | undefined> = { direct: undefined, tunnel: 'direct', inspect: 'tunnel' };

const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : 'na');

export function scenarioTable(f: ScenarioFigures): string[] {
  const rows = ROUTES.map((name) => {
    const s = f.summaries[name];
    const base = BASE[name];
    const against = base === undefined ? '' : `x${ratio(s.medianMs, f.summaries[base].medianMs)} ${base} (p95 x${ratio(s.p95Ms, f.summaries[base].p95Ms)})`;
    return `  ${name.padEnd(8)} ${String(s.n).padStart(4)}  ${s.medianMs.toFixed(3).padStart(9)}  ${s.p95Ms.toFixed(3).padStart(9)}  ${s.perSecond.toFixed(0).padStart(7)}  ${against}`.trimEnd();
  });
  return [f.label, `  ${'route'.padEnd(8)} ${'n'.padStart(4)}  ${'median ms'.padStart(9)}  ${'p95 ms'.padStart(9)}  ${'req/s'.padStart(7)}  median ratio`, ...rows];
}

/** `inspect_<key>`: inspect over tunnel; `tunnel_<key>`: tunnel over direct; medians. */
export function resultLine(figures: readonly ScenarioFigures[]): string {
  const median = (f: ScenarioFigures, name: RouteName): number => f.summaries[name].medianMs;
  const inspect = figures.map((f) => `inspect_${f.key}=${ratio(median(f, 'inspect'), median(f, 'tunnel'))}`);
  const tunnel = figures.map((f) => `tunnel_${f.key}=${ratio(median(f, 'tunnel'), median(f, 'direct'))}`);
  return `RESULT ${[...inspect, ...tunnel].join(' ')}`;
}
