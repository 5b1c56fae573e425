/** The proxy's own endpoints, and its audit log across a mix of decisions. */
import { describe, expect, it } from 'vitest';
import { readToEnd, sendConnect, viaProxy } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import { closedPort, startEchoServer, startHttpUpstream } from './upstreams.js';

const LOCAL = '127.0.0.1';

describe('createProxyServer', () => {
  it('answers GET /health itself, as JSON, and does not audit it', async () => {
    const { port, stop } = await startProxy([]);
    const response = await viaProxy(port, { url: '/health' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({ status: 'ok', daemon: 'egress' });
    expect(await stop()).toEqual([]);
  });

  it('answers 404 to other requests addressed to itself, saying what it serves', async () => {
    const { port } = await startProxy([]);
    const response = await viaProxy(port, { method: 'POST', url: '/admin' });
    expect(response.status).toBe(404);
    expect(response.body).toContain('POST /admin is not served here; GET /health is');
  });

  it('writes one audit line per decision, with the status sent', async () => {
    const echo = await startEchoServer();
    const web = await startHttpUpstream((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const closed = await closedPort();
    const { port, stop } = await startProxy([
      { host: LOCAL, port: echo.port },
      { host: LOCAL, port: web.port },
      { host: LOCAL, port: closed },
    ]);

    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    tunnel.socket.end('x');
    await readToEnd(tunnel.socket, tunnel.rest);
    const denied = await sendConnect(port, `${LOCAL}:1`);
    await readToEnd(denied.socket, denied.rest);
    expect((await viaProxy(port, { url: `http://${LOCAL}:${web.port}/` })).status).toBe(204);
    expect((await viaProxy(port, { url: `http://${LOCAL}:${closed}/` })).status).toBe(502);
    expect((await viaProxy(port, { url: `http://${LOCAL}:1/` })).status).toBe(403);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);

    const lines = await stop();
    expect(lines.map(({ method, decision, status }) => `${method} ${decision} ${status}`)).toEqual([
      'CONNECT allow 200',
      'CONNECT deny 403',
      'GET allow 204',
      'GET allow 502',
      'GET deny 403',
    ]);
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 6)).toEqual(['ts', 'method', 'host', 'port', 'decision', 'status']);
      expect(new Date(line.ts).toISOString()).toBe(line.ts);
      expect(line.host).toBe(LOCAL);
      expect('reason' in line).toBe(line.status !== 200 && line.status !== 204);
    }
  });
});
