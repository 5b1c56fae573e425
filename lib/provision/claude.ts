/**
 * Claude Code's user config in the guest, `~/.claude.json`: whatever it holds
 * (read first, a regular file of at most 1 MiB holding a JSON object, else
 * taken as empty), with `mcpServers.supervise` set to the bundle's supervise
 * endpoint. Nothing else in it changes.
 */
import type { FilesRequest } from '../backends/types.js';
import type { BottlePlan } from '../plan/types.js';
import { SUPERVISE_PORT } from '../plan/types.js';

export const SUPERVISE_SERVER = 'supervise';
export const CLAUDE_CONFIG = '.claude.json';
export const MAX_CLAUDE_CONFIG_BYTES = 1024 * 1024;

/** The first message of an MCP session: what a client sends to see the server answer. */
export const MCP_INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bottle-up', version: '1' } } });

export function superviseUrl(plan: BottlePlan): string {
  return `http://${plan.bundleHost}:${SUPERVISE_PORT}/mcp`;
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

export function claudeConfigFiles(plan: BottlePlan, current: Buffer | undefined): FilesRequest {
  return { dir: plan.guestHome, user: plan.user, entries: [{ path: CLAUDE_CONFIG, content: withSupervise(current, superviseUrl(plan)), mode: 0o600 }] };
}
