/** What the daemon answers over plain HTTP: health, paths it does not serve, bodies too big, requests without a session. */
import { describe, expect, it } from 'vitest';
import { startSupervise } from '../../../daemons/supervise/daemon.js';
import { messageLines, startDaemon } from './start-daemon.js';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('the HTTP server', () => {
  it('answers GET /health with the daemon name', async () => {
    const { base } = await startDaemon();
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok', daemon: 'supervise' });
    expect((await fetch(`${base}/health`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers other paths 404 with what is served', async () => {
    const { base } = await startDaemon();
    const response = await fetch(`${base}/sse`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(
      'bot-bottle supervise: GET /sse is not served here; the MCP endpoint is /mcp (POST, GET, DELETE) and the health check is GET /health\n',
    );
  });

  it('refuses a body over 1 MiB and one that is not JSON, with JSON-RPC errors', async () => {
    const { base, dir } = await startDaemon();
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'done', arguments: { summary: 'x'.repeat(1024 * 1024) } } });
    const tooBig = await fetch(`${base}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: big });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { message: 'Payload Too Large: the request body is over 1048576 bytes; send shorter texts' } });
    const notJson = await fetch(`${base}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: -32700 } });
    expect(await messageLines(dir)).toEqual([]);
  });

  it('serves a call that names no session, and refuses a stream without one', async () => {
    const { base, dir } = await startDaemon();
    const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'report_progress', arguments: { text: 'no session' } } };
    const response = await fetch(`${base}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(call) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Progress recorded (message 1)');
    expect(await messageLines(dir)).toMatchObject([{ id: '1', text: 'no session' }]);
    const stream = await fetch(`${base}/mcp`, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'gone' } });
    expect(stream.status).toBe(405);
    expect(stream.headers.get('allow')).toBe('POST, DELETE');
    expect(await stream.json()).toMatchObject({ error: { message: 'Method Not Allowed: GET /mcp (an event stream) needs an open session; initialize one with POST /mcp' } });
    const put = await fetch(`${base}/mcp`, { method: 'PUT', headers: MCP_HEADERS, body: '{}' });
    expect(put.status).toBe(405);
    expect(await put.json()).toMatchObject({ error: { message: 'Method Not Allowed: /mcp takes POST, GET and DELETE, not PUT' } });
  });

  it('fails to start with an error naming the address when the port is taken', async () => {
    const { running, dir } = await startDaemon();
    const config = { listen: { host: '127.0.0.1', port: running.address.port }, dir, askTimeoutMs: 1000 };
    await expect(startSupervise(config)).rejects.toThrow(`The supervise daemon cannot listen on 127.0.0.1:${running.address.port}: listen EADDRINUSE`);
  });
});
