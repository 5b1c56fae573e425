/** network: the bottle's own network and the bundle's way out, as its backend makes them (Docker: two networks; smolvm: nothing to make). */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { prepare } from './prepare.js';
import type { NetworkInfo } from '../lib/backends/types.js';
import { backendOf, bottleTask, op } from './context.js';

export const network = bottleTask({
  id: 'network',
  title: 'Network',
  summary: "the bottle's internal network and the bundles' shared way out",
  needs: [prepare],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ctx.plan.network,
  run: (ctx, io): NetworkInfo | Promise<NetworkInfo> => backendOf(ctx).ensureNetwork(ctx.plan.network, op(io)),
  isDone: (ctx, _out, signal) => backendOf(ctx).networkExists(ctx.plan.network, { signal }),
});
