/** A supervise daemon on 127.0.0.1 with a fresh temp dir (or the given one), and MCP clients of it; all closed when the test ends. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { onTestFinished } from 'vitest';
import type { SuperviseConfig } from '../../../daemons/supervise/config.js';
import type { RunningSupervise, StartSuperviseOptions } from '../../../daemons/supervise/daemon.js';
import { startSupervise } from '../../../daemons/supervise/daemon.js';
import { tempDir } from '../../state/temp-dir.js';

export interface TestDaemon {
  readonly running: RunningSupervise;
  readonly dir: string;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  readonly errors: Error[];
}

export async function startDaemon(config: Partial<SuperviseConfig> = {}, options: StartSuperviseOptions = {}): Promise<TestDaemon> {
  const dir = config.dir ?? (await tempDir());
  const errors: Error[] = [];
  const running = await startSupervise(
    { listen: { host: '127.0.0.1', port: 0 }, dir, askTimeoutMs: 30_000, pollMs: 20, ...config },
    { onError: (error) => errors.push(error), ...options },
  );
  onTestFinished(() => running.close());
  return { running, dir, base: `http://127.0.0.1:${running.address.port}`, errors };
}

/** An SDK client connected to the daemon's /mcp, as Claude Code connects. */
export async function connectClient(base: string, name = 'test-agent'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  onTestFinished(() => client.close());
  return client;
}

/** The text of a tool result's first content item. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? '';
}

/** The lines of messages.jsonl, parsed (a line that is not JSON fails the test). */
export async function messageLines(dir: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'messages.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
