/** CONNECT through the real proxy server to real upstreams on 127.0.0.1. */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readToEnd, sendConnect, viaProxy } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import { closedPort, startEchoServer } from './upstreams.js';

const LOCAL = '127.0.0.1';

describe('CONNECT', () => {
  it('tunnels to an allowed upstream both ways, bytes sent with the request included', async () => {
    const echo = await startEchoServer();
    const { port, stop } = await startProxy([{ host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`, 'early ');
    expect(tunnel.head).toBe('HTTP/1.1 200 Connection Established');
    tunnel.socket.end('hello');
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('early hello');
    expect(echo.connections()).toBe(1);
    const [line, ...more] = await stop();
    expect(more).toEqual([]);
    expect(line).toEqual({ ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), method: 'CONNECT', host: LOCAL, port: echo.port, decision: 'allow', status: 200, address: LOCAL });
  });

  it('keeps the other direction open after one side ends (half-close)', async () => {
    const echo = await startEchoServer((socket) => {
      let got = '';
      socket.on('data', (chunk: Buffer) => (got += chunk.toString()));
      // Answers only after the client has ended its side.
      socket.on('end', () => socket.end(`got ${got}`));
    });
    const { port } = await startProxy([{ host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    tunnel.socket.write('ping ');
    tunnel.socket.end('pong');
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('got ping pong');
  });

  it('refuses a port not on the allowlist with 403, and never connects to it', async () => {
    const echo = await startEchoServer();
    const { port, stop } = await startProxy([{ host: LOCAL, port: await closedPort() }]);
    const refused = await sendConnect(port, `${LOCAL}:${echo.port}`);
    expect(refused.status).toBe(403);
    expect(refused.head).toContain('Content-Type: text/plain');
    const body = await readToEnd(refused.socket, refused.rest);
    expect(body).toBe(`bot-bottle egress: ${LOCAL}:${echo.port} is not on this bottle's allowlist`);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: LOCAL, port: echo.port, decision: 'deny', status: 403, reason: 'not on the allowlist' }),
    ]);
    expect(echo.connections()).toBe(0);
  });

  it('answers 502 with the reason when the allowed upstream refuses the connection', async () => {
    const closed = await closedPort();
    const { port, stop } = await startProxy([{ host: LOCAL, port: closed }]);
    const failed = await sendConnect(port, `${LOCAL}:${closed}`);
    expect(failed.status).toBe(502);
    const body = await readToEnd(failed.socket, failed.rest);
    expect(body).toBe(`bot-bottle egress: cannot reach ${LOCAL}:${closed}: connect ECONNREFUSED ${LOCAL}:${closed}`);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: LOCAL, port: closed, decision: 'allow', status: 502, reason: `connect ECONNREFUSED ${LOCAL}:${closed}` }),
    ]);
  });

  it('answers 400 to a target that is not host:port', async () => {
    const { port, stop } = await startProxy([]);
    const bad = await sendConnect(port, 'nonsense');
    expect(bad.status).toBe(400);
    expect(await readToEnd(bad.socket, bad.rest)).toBe('bot-bottle egress: malformed CONNECT target "nonsense"; expected host:port');
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: 'nonsense', port: null, decision: 'deny', status: 400 }),
    ]);
  });

  it('survives an upstream that resets the tunnel, and ends the client side', async () => {
    const echo = await startEchoServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const { port } = await startProxy([{ host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    tunnel.socket.write('boom');
    await readToEnd(tunnel.socket, tunnel.rest);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
  });

  it('ends the upstream side when the client resets', async () => {
    let reached: (socket: Socket) => void = () => undefined;
    const upstreamSide = new Promise<Socket>((resolve) => (reached = resolve));
    const echo = await startEchoServer((socket) => reached(socket));
    const { port } = await startProxy([{ host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    const upstream = await upstreamSide;
    tunnel.socket.resetAndDestroy();
    expect(await readToEnd(upstream)).toBe('');
  });

  it('ends open tunnels when the proxy closes, so closing does not hang', async () => {
    let reached: (socket: Socket) => void = () => undefined;
    const upstreamSide = new Promise<Socket>((resolve) => (reached = resolve));
    const echo = await startEchoServer((socket) => reached(socket));
    const { port, stop } = await startProxy([{ host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `${LOCAL}:${echo.port}`);
    const upstream = await upstreamSide;
    const ends = [readToEnd(tunnel.socket, tunnel.rest), readToEnd(upstream)];
    await stop();
    expect(await Promise.all(ends)).toEqual(['', '']);
  });
});
