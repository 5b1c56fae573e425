/** network: the bottle's private network (docker: internal, plus the bundle's way out); nothing on smolvm. */
import type { NetworkInfo } from '../lib/backends/types.js';
import { backendOf, bottleTask, op } from './context.js';

export const network = bottleTask<NetworkInfo>({
  id: 'network',
  title: 'Network',
  needs: ['prepare'],
  retry: { attempts: 3, baseMs: 500 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ network: ctx.plan.network, egress: ctx.plan.egressNetwork, subnet: ctx.plan.subnet }),
  isDone: (ctx, _out, signal) => backendOf(ctx).networkExists(ctx.plan, { signal }),
  run: (ctx, io) => backendOf(ctx).ensureNetwork(ctx.plan, op(io)),
});
