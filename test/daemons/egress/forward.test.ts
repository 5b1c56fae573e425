/** Absolute-form HTTP through the real proxy server to real upstreams on 127.0.0.1. */
import { describe, expect, it } from 'vitest';
import { viaProxy } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import { closedPort, startEchoServer, startHttpUpstream } from './upstreams.js';

const LOCAL = '127.0.0.1';

describe('absolute-form requests', () => {
  it('forwards an allowed GET with its end-to-end headers only, and relays the response', async () => {
    const upstream = await startHttpUpstream((_req, res) => {
      res.setHeader('X-Upstream', 'yes');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('Proxy-Authenticate', 'Basic realm="upstream"');
      res.end('hello from upstream');
    });
    const { port, stop } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    const response = await viaProxy(port, {
      url: `http://${LOCAL}:${upstream.port}/path?q=1`,
      headers: {
        'Proxy-Authorization': 'Basic c2VjcmV0',
        'Proxy-Connection': 'keep-alive',
        Connection: 'X-Drop',
        'X-Drop': 'gone',
        'X-Keep': 'kept',
        Authorization: 'Bearer for-the-origin',
      },
    });
    expect(response).toMatchObject({ status: 200, body: 'hello from upstream' });
    expect(response.headers['x-upstream']).toBe('yes');
    expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(response.headers['proxy-authenticate']).toBeUndefined();

    const [seen, ...more] = upstream.seen;
    expect(more).toEqual([]);
    expect(seen).toMatchObject({ method: 'GET', url: '/path?q=1' });
    expect(seen?.headers).toMatchObject({ host: `${LOCAL}:${upstream.port}`, 'x-keep': 'kept', authorization: 'Bearer for-the-origin' });
    for (const name of ['proxy-authorization', 'proxy-connection', 'x-drop']) expect(seen?.headers).not.toHaveProperty(name);

    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'GET', host: LOCAL, port: upstream.port, decision: 'allow', status: 200 }),
    ]);
  });

  it('streams a request body up and passes the upstream status down', async () => {
    const upstream = await startHttpUpstream((req, res) => {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end(`stored ${req.body.length} bytes: ${req.body}`);
    });
    const { port, stop } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    const response = await viaProxy(port, {
      method: 'POST',
      url: `http://${LOCAL}:${upstream.port}/upload`,
      chunks: ['one,', 'two,', 'three'],
    });
    expect(response).toMatchObject({ status: 201, body: 'stored 13 bytes: one,two,three' });
    expect(upstream.seen[0]).toMatchObject({ method: 'POST', url: '/upload', body: 'one,two,three' });
    expect(await stop()).toEqual([expect.objectContaining({ method: 'POST', decision: 'allow', status: 201 })]);
  });

  it('refuses a target not on the allowlist with 403 and never forwards it', async () => {
    const upstream = await startHttpUpstream((_req, res) => res.end('must not be seen'));
    const { port, stop } = await startProxy([{ host: LOCAL, port: await closedPort() }]);
    const response = await viaProxy(port, { method: 'DELETE', url: `http://${LOCAL}:${upstream.port}/x` });
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe(`bot-bottle egress: ${LOCAL}:${upstream.port} is not on this bottle's allowlist`);
    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'DELETE', host: LOCAL, port: upstream.port, decision: 'deny', status: 403, reason: 'not on the allowlist' }),
    ]);
  });

  it('answers 502 with the reason when the allowed upstream port is closed', async () => {
    const closed = await closedPort();
    const { port, stop } = await startProxy([{ host: LOCAL, port: closed }]);
    const response = await viaProxy(port, { url: `http://${LOCAL}:${closed}/` });
    expect(response.status).toBe(502);
    expect(response.body).toBe(`bot-bottle egress: cannot reach ${LOCAL}:${closed}: connect ECONNREFUSED ${LOCAL}:${closed}`);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'GET', port: closed, decision: 'allow', status: 502, reason: `connect ECONNREFUSED ${LOCAL}:${closed}` }),
    ]);
  });

  it('answers 400 to an https:// absolute-form target (https goes through CONNECT)', async () => {
    const { port, stop } = await startProxy([{ host: LOCAL, port: 443 }]);
    const response = await viaProxy(port, { url: `https://${LOCAL}/` });
    expect(response.status).toBe(400);
    expect(response.body).toBe(`bot-bottle egress: malformed request target "https://${LOCAL}/"; only http:// is forwarded; use CONNECT for https`);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'GET', host: `https://${LOCAL}/`, port: null, decision: 'deny', status: 400 }),
    ]);
  });

  it('cuts the response short when the upstream breaks off mid-body, rather than end it cleanly', async () => {
    const upstream = await startHttpUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only ten b', () => res.socket?.destroy());
    });
    const { port } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    await expect(viaProxy(port, { url: `http://${LOCAL}:${upstream.port}/` })).rejects.toThrow();
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
  });

  it.each(['000 X', '099 X', '101 Switching Protocols', '999 X'])(
    'answers 502 to an upstream status that is not final (HTTP/1.1 %s), and keeps serving',
    async (statusLine) => {
      const bad = await startEchoServer((socket) => socket.once('data', () => socket.end(`HTTP/1.1 ${statusLine}\r\nContent-Length: 0\r\n\r\n`)));
      const good = await startHttpUpstream((_req, res) => res.end('still here'));
      const { port, stop } = await startProxy([{ host: LOCAL, port: bad.port }, { host: LOCAL, port: good.port }]);
      const status = Number(statusLine.slice(0, 3));
      const response = await viaProxy(port, { url: `http://${LOCAL}:${bad.port}/` });
      expect(response.status).toBe(502);
      expect(response.body).toBe(`bot-bottle egress: ${LOCAL}:${bad.port}: upstream answered an invalid status ${status}; only final statuses 200-599 are relayed`);
      expect(await viaProxy(port, { url: `http://${LOCAL}:${good.port}/` })).toMatchObject({ status: 200, body: 'still here' });
      expect(await stop()).toEqual([
        expect.objectContaining({ port: bad.port, decision: 'allow', status: 502, reason: `upstream answered an invalid status ${status}` }),
        expect.objectContaining({ port: good.port, decision: 'allow', status: 200 }),
      ]);
    },
  );

  it("relays the status but not the upstream's reason phrase, which node would refuse to write", async () => {
    const odd = await startEchoServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok')));
    const { port } = await startProxy([{ host: LOCAL, port: odd.port }]);
    expect(await viaProxy(port, { url: `http://${LOCAL}:${odd.port}/` })).toMatchObject({ status: 200, body: 'ok' });
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
  });
});
