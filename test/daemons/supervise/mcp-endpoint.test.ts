/** Sessions of the MCP endpoint, seen through raw HTTP: how they end, and that a request keeps working after its session has. */
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { closeServer, listen } from '../../../daemons/common/listen.js';
import { createSuperviseHttpServer } from '../../../daemons/supervise/http-server.js';
import type { McpEndpoint, McpEndpointOptions } from '../../../daemons/supervise/mcp-endpoint.js';
import { createMcpEndpoint } from '../../../daemons/supervise/mcp-endpoint.js';
import { openMessageLog } from '../../../daemons/supervise/message-log.js';
import type { QuestionDesk } from '../../../daemons/supervise/question-desk.js';
import { createQuestionDesk } from '../../../daemons/supervise/question-desk.js';
import { createSuperviseServer } from '../../../daemons/supervise/tools.js';
import { tempDir } from '../../state/temp-dir.js';
import { messageLines } from './start-daemon.js';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

async function serveEndpoint(options: McpEndpointOptions): Promise<{ endpoint: McpEndpoint; desk: QuestionDesk; base: string; dir: string }> {
  const dir = await tempDir();
  const log = await openMessageLog(dir);
  const desk = createQuestionDesk(log, { timeoutMs: 60_000 });
  const endpoint = createMcpEndpoint(() => createSuperviseServer({ log, desk, askTimeoutMs: 60_000 }), options);
  const server = createSuperviseHttpServer(endpoint);
  const { port } = await listen(server, '127.0.0.1', 0, 'test endpoint');
  onTestFinished(async () => {
    await desk.close();
    await endpoint.close();
    await closeServer(server, () => server.closeAllConnections());
    await log.close();
  });
  return { endpoint, desk, base: `http://127.0.0.1:${port}`, dir };
}

/** Opens a session as a client does; returns its id. */
async function initialize(base: string): Promise<string> {
  const params = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };
  const response = await fetch(`${base}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params }) });
  await response.text();
  const session = response.headers.get('mcp-session-id');
  if (!session) throw new Error(`initialize gave no session (HTTP ${response.status})`);
  return session;
}

/** Pings naming `session`; says whether the answer came from that session (it names it) or from a server made for the one request. */
async function pingServedBy(base: string, session: string): Promise<'session' | 'no session'> {
  const response = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'mcp-session-id': session },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  expect(await response.text()).toContain('"result":{}');
  return response.headers.get('mcp-session-id') === session ? 'session' : 'no session';
}

describe('the MCP endpoint', () => {
  it('closes a session idle past its time, and keeps serving the client that names it', async () => {
    const { endpoint, base } = await serveEndpoint({ sessionIdleMs: 50 });
    const session = await initialize(base);
    expect(endpoint.sessions).toBe(1);
    await vi.waitFor(() => expect(endpoint.sessions).toBe(0), { timeout: 5000, interval: 10 });
    expect(await pingServedBy(base, session)).toBe('no session');
  });

  it('keeps a session whose event stream is open, however long', async () => {
    const { endpoint, base } = await serveEndpoint({ sessionIdleMs: 50 });
    const [streaming, idle] = [await initialize(base), await initialize(base)];
    const stream = new AbortController();
    const opened = await fetch(`${base}/mcp`, { headers: { ...MCP_HEADERS, accept: 'text/event-stream', 'mcp-session-id': streaming }, signal: stream.signal });
    expect(opened.status).toBe(200);
    onTestFinished(() => stream.abort());
    await vi.waitFor(() => expect(endpoint.sessions).toBe(1), { timeout: 5000, interval: 10 });
    expect(await pingServedBy(base, streaming)).toBe('session');
    expect(await pingServedBy(base, idle)).toBe('no session');
  });

  it('keeps at most maxSessions, closing the least recently used', async () => {
    const { endpoint, base } = await serveEndpoint({ maxSessions: 2 });
    const first = await initialize(base);
    const second = await initialize(base);
    expect(await pingServedBy(base, first)).toBe('session');
    const third = await initialize(base);
    expect(endpoint.sessions).toBe(2);
    expect(await pingServedBy(base, second)).toBe('no session');
    expect(await pingServedBy(base, first)).toBe('session');
    expect(await pingServedBy(base, third)).toBe('session');
  });

  it('cancels a call of a session when its client goes away before the answer', async () => {
    const { desk, base, dir } = await serveEndpoint({});
    const session = await initialize(base);
    const hangUp = new AbortController();
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ask_human', arguments: { question: 'Hold on?' } } };
    const response = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, 'mcp-session-id': session }, body: JSON.stringify(call), signal: hangUp.signal });
    expect(response.headers.get('mcp-session-id')).toBe(session);
    await vi.waitFor(() => expect(desk.waiting).toBe(1), { timeout: 5000, interval: 10 });
    hangUp.abort();
    await vi.waitFor(async () => expect(await messageLines(dir)).toMatchObject([{ kind: 'question' }, { kind: 'expired', reason: 'cancelled' }]), {
      timeout: 5000,
      interval: 10,
    });
    expect(await pingServedBy(base, session)).toBe('session');
  });
});
