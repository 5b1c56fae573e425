/**
 * `inspect.maxBodyBytes` through the real proxy: an inspected request whose
 * body is larger (announced by Content-Length, or growing past it as it
 * streams) gets a 413 naming the limit and nothing is forwarded; a body of
 * exactly the limit goes through whole. HTTP/1.1 and HTTP/2.
 */
import { describe, expect, it } from 'vitest';
import { http1Request, http2Request, http2Session, openTlsTunnel } from './inspect-clients.js';
import { API, inspected, makeInspectPki, startInspectingProxy } from './start-inspecting-proxy.js';
import { startHttpsUpstream } from './upstreams.js';

const MAX = 1024;

async function setUp() {
  const pki = await makeInspectPki();
  const upstream = await startHttpsUpstream(pki.upstreamCert, (req, res) => res.end(`got ${req.body.length}`));
  const proxy = await startInspectingProxy(inspected(upstream.port), { pki, maxBodyBytes: MAX });
  const authority = `${API}:${upstream.port}`;
  const open = (alpn: string[]) => openTlsTunnel(proxy.port, authority, { ca: pki.agentCa.cert, servername: API, alpn });
  return { upstream, proxy, authority, open };
}

const TOO_LARGE = `the request body is larger than ${MAX} bytes, the most an inspected request may carry`;

describe('a body larger than maxBodyBytes', () => {
  it('announced by Content-Length over HTTP/1.1 gets 413, the connection closed, and nothing forwarded', async () => {
    const { upstream, proxy, authority, open } = await setUp();

    const response = await http1Request(await open(['http/1.1']), authority, {
      method: 'POST',
      path: '/v1/upload?name=big',
      headers: { 'content-length': String(MAX + 1) },
      chunks: ['x'.repeat(MAX + 1)],
    });

    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(response.body).toBe(`bot-bottle egress: request to ${authority} refused: ${TOO_LARGE}`);
    expect(upstream.seen).toEqual([]);
    expect((await proxy.stop()).at(-1)).toMatchObject({ method: 'POST', path: '/v1/upload', decision: 'deny', status: 413, rule: 'maxBodyBytes', reason: TOO_LARGE });
  });

  it('streamed in chunks over HTTP/1.1 gets 413 once it passes the limit', async () => {
    const { upstream, authority, open } = await setUp();

    const response = await http1Request(await open(['http/1.1']), authority, { method: 'PUT', path: '/v1/upload', chunks: ['a'.repeat(600), 'b'.repeat(600)] });

    expect(response.status).toBe(413);
    expect(upstream.seen).toEqual([]);
  });

  it('over HTTP/2 gets 413, announced or streamed, and the session serves the next request', async () => {
    const { upstream, authority, open } = await setUp();
    const session = http2Session(await open(['h2']), authority);

    const streamed = await http2Request(session, { method: 'POST', path: '/v1/upload', chunks: ['a'.repeat(600), 'b'.repeat(600)] });
    const announced = await http2Request(session, { method: 'POST', path: '/v1/upload', headers: { 'content-length': String(MAX + 1) }, chunks: ['c'.repeat(MAX + 1)] });
    const small = await http2Request(session, { method: 'POST', path: '/v1/upload', chunks: ['small'] });

    expect([streamed.status, announced.status, small.status]).toEqual([413, 413, 200]);
    expect(streamed.body).toContain(TOO_LARGE);
    expect(upstream.seen.map((seen) => seen.body)).toEqual(['small']);
  });
});

describe('a body of exactly maxBodyBytes', () => {
  it('is forwarded whole, with its length', async () => {
    const { upstream, authority, open } = await setUp();
    const body = 'z'.repeat(MAX);

    const response = await http1Request(await open(['http/1.1']), authority, { method: 'POST', path: '/v1/upload', chunks: [body.slice(0, 500), body.slice(500)] });

    expect(response).toMatchObject({ status: 200, body: `got ${MAX}` });
    expect(upstream.seen.map((seen) => [seen.body, seen.headers['content-length']])).toEqual([[body, String(MAX)]]);
  });
});
