/**
 * supervise: registers the bundle's supervise endpoint with Claude Code in the
 * guest, as its user config file (lib/provision/claude.ts: read, merged, put
 * back; a new machine had it already), then has the real Claude Code prove
 * it reads it: `claude mcp get supervise` in the machine must report the
 * server connected. Claude Code's start costs about a CPU-second, and what it
 * proves is the same for every bottle of an image (one config builder), so a
 * run asks it once per image (`bottle task supervise <agent>` always does);
 * `ready` then proves from every machine that the server answers at that URL.
 * It holds the `cpu` limit. An image without `claude` (a bottle's own image)
 * gets the file and a note instead.
 */
import { TaskError } from '../lib/engine/index.js';
import type { Backend } from '../lib/backends/types.js';
import { HOST_CPU } from '../lib/limits/names.js';
import { CLAUDE_CONFIG, claudeConfigFiles, MAX_CLAUDE_CONFIG_BYTES, SUPERVISE_SERVER, superviseUrl } from '../lib/provision/claude.js';
import { terminalText } from '../lib/report/terminal-text.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface SuperviseOutput {
  name: string;
  url: string;
  /** What `claude mcp get` said of the server, in this machine or another of its image this run: true when connected; null when the image has no `claude`. */
  connected: boolean | null;
}

const NOT_FOUND = 127;

/** The status line `claude mcp get supervise` prints, e.g. `  Status: ✔ Connected`. */
export function statusLine(output: string): string | undefined {
  return output.split('\n').find((line) => /^\s*Status:/.test(line))?.trim();
}

/** The real Claude Code's word on the server: true, or null when there is no `claude`. */
async function claudeSays(backend: Backend, machine: string, options: { user: string; cwd: string; signal: AbortSignal }, log: (line: string) => void): Promise<boolean | null> {
  const got = await backend.exec(machine, ['claude', 'mcp', 'get', SUPERVISE_SERVER], options);
  if (got.exitCode === NOT_FOUND) return null;
  const line = statusLine(got.stdout);
  if (got.exitCode !== 0 || !line || !/\bConnected\b/.test(line)) {
    const said = terminalText(`${got.stdout}\n${got.stderr}`.trim().split('\n').slice(-3).join(' | '));
    throw new TaskError(`\`claude mcp get ${SUPERVISE_SERVER}\` in ${machine} does not report it connected (exit ${got.exitCode}): ${said}`, { code: 'MCP_NOT_CONNECTED', transient: true });
  }
  log(`claude mcp get ${SUPERVISE_SERVER} in ${machine}: ${line}`);
  return true;
}

export const supervise = bottleTask({
  id: 'supervise',
  title: 'Supervise',
  summary: 'supervise registered with Claude Code; `claude mcp get supervise` says connected (once per image)',
  needs: [startVm],
  resources: [HOST_CPU],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 90_000,
  fingerprint: (ctx) => ({ url: superviseUrl(ctx.plan) }),
  run: async (ctx, io): Promise<SuperviseOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const { machine, image } = io.needs['start-vm'];
    if (!cameWithMachine(io)) {
      const current = await backend.readFile(machine, `${plan.guestHome}/${CLAUDE_CONFIG}`, { ...op(io), user: plan.user, maxBytes: MAX_CLAUDE_CONFIG_BYTES });
      await backend.putFiles(machine, claudeConfigFiles(plan, current), op(io));
    }
    const as = { user: plan.user, cwd: plan.guestHome, signal: io.signal };
    const connected = await ctx.once(`claude mcp get:${plan.backend}:${image}`, () => claudeSays(backend, machine, as, io.log));
    if (connected === null) io.log(`no \`claude\` in ${image}: ${SUPERVISE_SERVER} registered in ${CLAUDE_CONFIG}, not checked by Claude Code`);
    return { name: SUPERVISE_SERVER, url: superviseUrl(plan), connected };
  },
});
