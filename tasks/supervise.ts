/**
 * supervise: registers the bundle's supervise endpoint with Claude Code in the
 * guest, through the real `claude` binary, and reads it back with
 * `claude mcp get`. (The supervise daemon itself arrives later; until then
 * `claude mcp get` reports it cannot connect, which does not fail the task.)
 */
import { daemons } from './daemons.js';
import { TaskError } from '../lib/engine/index.js';
import { SUPERVISE_PORT } from '../lib/plan/types.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';
import { execOk } from './guest.js';

export interface SuperviseOutput {
  name: string;
  url: string;
}

export const SUPERVISE_SERVER = 'supervise';

function url(ctx: BottleCtx): string {
  return `http://${ctx.plan.bundleHost}:${SUPERVISE_PORT}/mcp`;
}

export const supervise = bottleTask({
  id: 'supervise',
  title: 'Supervise',
  needs: [startVm, daemons],
  retry: { attempts: 2 },
  timeoutMs: 120_000,
  fingerprint: (ctx) => ({ url: url(ctx) }),
  run: async (ctx, io): Promise<SuperviseOutput> => {
    const backend = backendOf(ctx);
    const machine = io.needs['start-vm'].machine;
    const asUser = { ...op(io), user: ctx.plan.user };
    // Re-registering replaces an older URL; a missing server is fine to remove.
    await backend.exec(machine, ['claude', 'mcp', 'remove', SUPERVISE_SERVER, '--scope', 'user'], asUser);
    await execOk(backend, machine, ['claude', 'mcp', 'add', '--transport', 'http', '--scope', 'user', SUPERVISE_SERVER, url(ctx)], asUser);
    const got = await execOk(backend, machine, ['claude', 'mcp', 'get', SUPERVISE_SERVER], asUser);
    if (!got.stdout.includes(url(ctx))) {
      throw new TaskError(`claude mcp get ${SUPERVISE_SERVER} does not show ${url(ctx)}: ${got.stdout.trim()}`, { code: 'SUPERVISE_NOT_REGISTERED' });
    }
    return { name: SUPERVISE_SERVER, url: url(ctx) };
  },
});
