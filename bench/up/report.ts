/** The bench's summary: a table, the longest chain, warnings, and the RESULT line last. It only formats. */
import type { BottleFigures } from './bottle-phase.js';
import type { ComposeFigures } from './compose-phase.js';
import { seconds } from './timing.js';

export interface Figures {
  n: number;
  bottle: BottleFigures;
  bottleDownMs: number;
  compose: ComposeFigures;
  containers: number;
  networks: number;
  benchMs: number;
}

function table(rows: readonly [string, number | null, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, ms, note]) => `${label.padEnd(width)}  ${(ms === null ? '-' : seconds(ms)).padStart(8)} s  ${note}`.trimEnd());
}

const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'na');

/** What went wrong without stopping the bench; the figures are printed anyway. */
export function problemsOf(f: Figures): string[] {
  const { ready, noopRan } = f.bottle;
  return [
    ...(ready.failed.length > 0 ? [`${ready.failed.length} of ${f.n} bottles not ready: compose copied what bottle made`] : []),
    ...(noopRan.length > 0 ? [`the no-op bottle up ran ${noopRan.length} nodes (${[...new Set(noopRan.map((e) => e.task))].join(', ')})`] : []),
    ...(f.compose.running < f.containers ? [`${f.containers - f.compose.running} compose containers were not running after up`] : []),
    ...(f.compose.recreated > 0 ? [`the no-op compose up recreated ${f.compose.recreated} containers`] : []),
  ];
}

export function report(f: Figures): string[] {
  const { cold, ready, bound, noop, noopRan } = f.bottle;
  const noopNodes = noop.events.filter((e) => e.event.type === 'node-end').length;
  const c = f.compose;
  return [
    '',
    ...table([
      [`bottle up -n ${f.n} (cold)`, cold.ms, `${ready.ready.length}/${f.n} ready, ${ready.failed.length} failed; ${bound.nodes} nodes`],
      ['  lower bound', bound.boundMs, `max(chain ${seconds(bound.chainMs)} s, work ${seconds(bound.workMs)} s / ${bound.concurrency}${bound.limit ? `, ${bound.limit.name} work ${seconds(bound.limit.workMs)} s / ${bound.limit.slots}` : ''})`],
      ['  first bottle ready', ready.firstReadyMs, ''],
      [`bottle up -n ${f.n} (no-op)`, noop.ms, `${noopNodes - noopRan.length}/${noopNodes} nodes up to date`],
      ['bottle down --purge', f.bottleDownMs, ''],
      ['docker-compose up -d (cold)', c.up.ms, `${f.containers} containers, ${f.networks} networks; ${c.running} running`],
      ['docker-compose up -d (no-op)', c.noop.ms, `${c.recreated} recreated`],
      ['docker-compose down', c.down.ms, ''],
    ]),
    `longest chain: ${bound.chain.join(' > ')}`,
    `whole bench: ${seconds(f.benchMs)} s`,
    ...problemsOf(f).map((p) => `WARNING: ${p}`),
    [
      'RESULT',
      `n=${f.n}`,
      `cold_s=${seconds(cold.ms)}`,
      `compose_s=${seconds(c.up.ms)}`,
      `cold_ratio=${ratio(cold.ms, c.up.ms)}`,
      `bound_ratio=${ratio(cold.ms, bound.boundMs)}`,
      `noop_s=${seconds(noop.ms)}`,
      `compose_noop_s=${seconds(c.noop.ms)}`,
      `first_ready_s=${ready.firstReadyMs === null ? 'na' : seconds(ready.firstReadyMs)}`,
    ].join(' '),
  ];
}
