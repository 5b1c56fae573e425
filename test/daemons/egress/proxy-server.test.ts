/** The proxy's own endpoints, its audit log across a mix of decisions, and its limits. */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../daemons/egress/config.js';
import { untilConnections } from './open-connections.js';
import { readToEnd, sendConnect, sendRaw, viaProxy } from './proxy-clients.js';
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

  it('audits a huge malformed target in a short line', async () => {
    const { port, stop } = await startProxy([]);
    const target = `http://${'x'.repeat(15_000)}/`;
    expect(await sendRaw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    const [line, ...more] = await stop();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ method: 'GET', port: null, decision: 'deny', status: 400 });
    expect(Buffer.byteLength(JSON.stringify(line))).toBeLessThan(700);
  });
});

describe('limits', () => {
  it('drops connections beyond maxConnections, tunnels included, and serves again once one closes', async () => {
    const echo = await startEchoServer();
    const { port, proxy } = await startProxy([{ host: LOCAL, port: echo.port }], { limits: { ...DEFAULT_LIMITS, maxConnections: 2 } });
    const first = await sendConnect(port, `${LOCAL}:${echo.port}`);
    const second = await sendConnect(port, `${LOCAL}:${echo.port}`);
    expect([first.status, second.status]).toEqual([200, 200]);

    // The third is closed before it is read: no answer at all.
    expect(await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: proxy\r\n\r\n')).toBe('');

    first.socket.end();
    await readToEnd(first.socket, first.rest);
    await untilConnections(proxy.server, 1);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    second.socket.end('still up');
    expect(await readToEnd(second.socket, second.rest)).toBe('still up');
  });

  it('cuts a silent tunnel after idleTimeoutMs, both sides', async () => {
    let reached: (socket: Socket) => void = () => undefined;
    const upstreamSide = new Promise<Socket>((resolve) => (reached = resolve));
    const echo = await startEchoServer((socket) => reached(socket));
    const { port } = await startProxy([{ host: LOCAL, port: echo.port }], { limits: { ...DEFAULT_LIMITS, idleTimeoutMs: 200 } });
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    expect(tunnel.status).toBe(200);
    const upstream = await upstreamSide;
    expect(await Promise.all([readToEnd(tunnel.socket, tunnel.rest), readToEnd(upstream)])).toEqual(['', '']);
  });

  it('cuts a client connection that sends nothing after idleTimeoutMs', async () => {
    const { port } = await startProxy([], { limits: { ...DEFAULT_LIMITS, idleTimeoutMs: 200 } });
    expect(await sendRaw(port, '')).toBe('');
  });
});
