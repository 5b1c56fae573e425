/**
 * A host lost mid-run: its bottles' tasks fail within the watch's bound,
 * naming the host, not retried, their later tasks blocked; other hosts'
 * bottles finish. Real timers, a fake ping (the engine side is the e2e's).
 */
import { describe, expect, it } from 'vitest';
import { defineGraph, runGraph, type Graph } from '../../lib/engine/index.js';
import { watchHosts } from '../../lib/hosts/host-watch.js';
import type { Endpoint } from '../../lib/docker/endpoint.js';
import { guardedByHosts } from '../../tasks/host-guard.js';
import type { BottleCtx, RunEnv } from '../../tasks/context.js';

const endpoint = (host: string): Endpoint => ({ protocol: 'https', host, port: 2376, source: `hosts.${host}` }) as unknown as Endpoint;

function watch(cut: Set<string>) {
  return watchHosts(new Map([['b', endpoint('10.9.0.2')], ['c', endpoint('10.9.0.3')]]), {
    everyMs: 20,
    lostAfterMs: 150,
    ping: async (e) => {
      if (cut.has(e.host!)) throw new Error('connect ETIMEDOUT');
    },
  });
}

const item = (key: string, host: string) => ({ key, ctx: { plan: { slug: key, host: { name: host, engine: { kind: 'context', context: host }, insecure: false } } } as unknown as BottleCtx });

describe('guardedByHosts', () => {
  it('fails the running task of a lost host within the bound, naming the host, and blocks what needs it', async () => {
    const cut = new Set<string>();
    const hosts = watch(cut);
    let attempts = 0;
    const graph: Graph<RunEnv> = defineGraph<RunEnv>([
      {
        id: 'start',
        title: 'start',
        retry: { attempts: 3, baseMs: 1 },
        run: (ctx, io) => {
          attempts += (ctx as BottleCtx).plan.slug === 'on-c' ? 1 : 0;
          // On c it waits for an answer that never comes (the link is cut), unless its signal aborts.
          if ((ctx as BottleCtx).plan.slug !== 'on-c') return 'ok';
          return new Promise((_, reject) => io.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
        },
      },
      { id: 'ready', title: 'ready', needs: ['start'], run: () => 'ready' },
    ]);
    const began = Date.now();
    setTimeout(() => cut.add('10.9.0.3'), 50);
    const result = await runGraph(guardedByHosts(graph, hosts), { items: [item('on-b', 'b'), item('on-c', 'c')], shared: {} as RunEnv, concurrency: 4 });
    hosts.stop();
    const took = Date.now() - began;
    expect(result.nodes.get('on-b/ready')?.status).toBe('done');
    const failed = result.nodes.get('on-c/start');
    expect(failed?.status).toBe('failed');
    expect(failed?.record.error?.message).toMatch(/^host c is lost: its Docker Engine at .*10\.9\.0\.3.* has not answered for \d+ s$/);
    expect(failed?.record.error?.code).toBe('HOST_LOST');
    expect(attempts).toBe(1);
    expect(result.nodes.get('on-c/ready')?.status).toBe('blocked');
    expect(took).toBeLessThan(2000);
  });

  it('fails at once a task of a host already lost, and leaves a host that answers alone', async () => {
    const cut = new Set(['10.9.0.2']);
    const hosts = watch(cut);
    await new Promise((resolve) => setTimeout(resolve, 300));
    let ran = 0;
    const graph = defineGraph<RunEnv>([{ id: 'start', title: 'start', run: () => void ran++ }]);
    const result = await runGraph(guardedByHosts(graph, hosts), { items: [item('on-b', 'b'), item('on-c', 'c')], shared: {} as RunEnv });
    hosts.stop();
    expect(result.nodes.get('on-b/start')?.status).toBe('failed');
    expect(result.nodes.get('on-c/start')?.status).toBe('done');
    expect(ran).toBe(1);
  });
});
