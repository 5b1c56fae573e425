/**
 * Named limits counted per item scope (a bottle's host): a slow host's
 * bottles fill their own count, never another host's; limits not named as
 * scoped still count the whole run.
 */
import { describe, expect, it } from 'vitest';
import { defineGraph } from '../../lib/engine/graph.js';
import { runGraph } from '../../lib/engine/scheduler.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { newProbe, type Ctx } from '../helpers/graphs.js';

function run(options: { scoped: string[] }) {
  const clock = new VirtualClock();
  const probe = newProbe();
  // Host a is slow (its calls take 100), host b fast (10).
  const graph = defineGraph<Ctx>([
    {
      id: 'call',
      title: 'call',
      resources: ['backend'],
      run: async (ctx, io) => {
        await clock.sleep(ctx.item.startsWith('a') ? 100 : 10, io.signal);
        probe.ends.push({ key: `${ctx.item}/call`, t: clock.now() });
      },
    },
  ]);
  const items = ['a1', 'a2', 'b1', 'b2'].map((key) => ({ key, ctx: { item: key }, scope: key[0] }));
  return clock.run(runGraph(graph, { items, shared: { item: '_run' }, clock, concurrency: 8, resources: { backend: 1 }, scopedResources: options.scoped })).then(() => probe);
}

const endOf = (probe: Awaited<ReturnType<typeof run>>, key: string) => probe.ends.find((e) => e.key === `${key}/call`)!.t;

describe('resource limits per scope', () => {
  it('lets each scope use the whole limit, so a slow scope never holds another back', async () => {
    const probe = await run({ scoped: ['backend'] });
    expect([endOf(probe, 'a1'), endOf(probe, 'a2')]).toEqual([100, 200]);
    expect([endOf(probe, 'b1'), endOf(probe, 'b2')]).toEqual([10, 20]);
  });

  it('counts the whole run for a limit not named as scoped', async () => {
    const probe = await run({ scoped: [] });
    // One at a time over all four, in item order: b waits for both of a's.
    expect(endOf(probe, 'b1')).toBeGreaterThanOrEqual(200);
  });
});
