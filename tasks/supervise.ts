/**
 * supervise: registers the bundle's supervise endpoint with Claude Code in the
 * guest, as its user config file: `~/.claude.json` is read (a regular file of
 * at most 1 MiB holding a JSON object, else taken as empty), its
 * `mcpServers.supervise` set, and the file put back; nothing else in it
 * changes. No `claude` runs: the e2e proves the real binary reads it.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { SUPERVISE_PORT } from '../lib/plan/types.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';

export interface SuperviseOutput {
  name: string;
  url: string;
}

export const SUPERVISE_SERVER = 'supervise';

const CONFIG = '.claude.json';
const MAX_CONFIG_BYTES = 1024 * 1024;

function url(ctx: BottleCtx): string {
  return `http://${ctx.plan.bundleHost}:${SUPERVISE_PORT}/mcp`;
}

/** The config with our server set; what is not an object (or not JSON) counts as empty. */
export function withSupervise(current: Buffer | undefined, serverUrl: string): string {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  let config: Record<string, unknown> = {};
  try {
    const parsed: unknown = current ? JSON.parse(current.toString('utf8')) : {};
    if (isObject(parsed)) config = parsed;
  } catch {
    // A config Claude Code cannot read either: ours replaces it.
  }
  const servers = isObject(config.mcpServers) ? config.mcpServers : {};
  return `${JSON.stringify({ ...config, mcpServers: { ...servers, [SUPERVISE_SERVER]: { type: 'http', url: serverUrl } } }, null, 2)}\n`;
}

export const supervise = bottleTask({
  id: 'supervise',
  title: 'Supervise',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ url: url(ctx) }),
  run: async (ctx, io): Promise<SuperviseOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const machine = io.needs['start-vm'].machine;
    const current = await backend.readFile(machine, `${plan.guestHome}/${CONFIG}`, { ...op(io), user: plan.user, maxBytes: MAX_CONFIG_BYTES });
    const entries = [{ path: CONFIG, content: withSupervise(current, url(ctx)), mode: 0o600 }];
    await backend.putFiles(machine, { dir: plan.guestHome, user: plan.user, entries }, op(io));
    return { name: SUPERVISE_SERVER, url: url(ctx) };
  },
});
