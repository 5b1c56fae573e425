/**
 * supervise: registers the bundle's supervise endpoint with Claude Code in the
 * guest, as its user config file (lib/provision/claude.ts: read, merged, put
 * back; a new machine had it already). No `claude` runs: the e2e proves the
 * real binary reads it.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { CLAUDE_CONFIG, claudeConfigFiles, MAX_CLAUDE_CONFIG_BYTES, SUPERVISE_SERVER, superviseUrl } from '../lib/provision/claude.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface SuperviseOutput {
  name: string;
  url: string;
}

export const supervise = bottleTask({
  id: 'supervise',
  title: 'Supervise',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ url: superviseUrl(ctx.plan) }),
  run: async (ctx, io): Promise<SuperviseOutput> => {
    const { plan } = ctx;
    if (!cameWithMachine(io)) {
      const backend = backendOf(ctx);
      const machine = io.needs['start-vm'].machine;
      const current = await backend.readFile(machine, `${plan.guestHome}/${CLAUDE_CONFIG}`, { ...op(io), user: plan.user, maxBytes: MAX_CLAUDE_CONFIG_BYTES });
      await backend.putFiles(machine, claudeConfigFiles(plan, current), op(io));
    }
    return { name: SUPERVISE_SERVER, url: superviseUrl(plan) };
  },
});
