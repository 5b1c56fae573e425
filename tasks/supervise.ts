/**
 * supervise: registers the bundle's supervise endpoint with Claude Code in the
 * guest, as its user config file (lib/provision/claude.ts: read, merged, put
 * back; a new machine had it already), then proves it live: the real
 * `claude mcp list` in the guest must report the server connected. An image
 * without `claude` (a bottle's own image) gets the file and a note instead.
 */
import { TaskError } from '../lib/engine/index.js';
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { CLAUDE_CONFIG, claudeConfigFiles, MAX_CLAUDE_CONFIG_BYTES, SUPERVISE_SERVER, superviseUrl } from '../lib/provision/claude.js';
import { terminalText } from '../lib/report/terminal-text.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface SuperviseOutput {
  name: string;
  url: string;
  /** What `claude mcp list` said of the server: true when connected; null when the image has no `claude`. */
  connected: boolean | null;
}

const NOT_FOUND = 127;

/** The line `claude mcp list` prints for our server, e.g. `supervise: http://... (HTTP) - ✓ Connected`. */
export function serverLine(output: string): string | undefined {
  return output.split('\n').find((line) => line.startsWith(`${SUPERVISE_SERVER}:`));
}

export const supervise = bottleTask({
  id: 'supervise',
  title: 'Supervise',
  summary: 'supervise registered with Claude Code; `claude mcp list` must say connected',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 90_000,
  fingerprint: (ctx) => ({ url: superviseUrl(ctx.plan) }),
  run: async (ctx, io): Promise<SuperviseOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const machine = io.needs['start-vm'].machine;
    if (!cameWithMachine(io)) {
      const current = await backend.readFile(machine, `${plan.guestHome}/${CLAUDE_CONFIG}`, { ...op(io), user: plan.user, maxBytes: MAX_CLAUDE_CONFIG_BYTES });
      await backend.putFiles(machine, claudeConfigFiles(plan, current), op(io));
    }
    const url = superviseUrl(plan);
    const listed = await backend.exec(machine, ['claude', 'mcp', 'list'], { ...op(io), user: plan.user, cwd: plan.guestHome });
    if (listed.exitCode === NOT_FOUND) {
      io.log(`no \`claude\` in ${plan.image ?? 'the image'}: ${SUPERVISE_SERVER} registered in ${CLAUDE_CONFIG}, not checked live`);
      return { name: SUPERVISE_SERVER, url, connected: null };
    }
    const line = serverLine(listed.stdout);
    if (listed.exitCode !== 0 || !line || !/\bConnected\b/.test(line)) {
      const said = terminalText((line ?? `${listed.stdout}\n${listed.stderr}`).trim().split('\n').slice(-3).join(' | '));
      throw new TaskError(`\`claude mcp list\` in ${machine} does not report ${SUPERVISE_SERVER} connected (exit ${listed.exitCode}): ${said}`, { code: 'MCP_NOT_CONNECTED', transient: true });
    }
    io.log(line);
    return { name: SUPERVISE_SERVER, url, connected: true };
  },
});
