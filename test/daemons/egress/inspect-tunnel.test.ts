/**
 * Inspected tunnels end to end: a real agent-side client does CONNECT and
 * TLS (trusting the bottle's CA only) through the real proxy, which
 * terminates TLS with the host's leaf and forwards each request over
 * verified TLS to a real HTTPS upstream on 127.0.0.1, setting the host's
 * credential header itself; HTTP/1.1 and HTTP/2 alike. Also the tunnel's own
 * refusals: a TLS server name that is not the CONNECT host, no leaf, plain
 * http:// to an inspected host, a request for another host.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { untilAuditLines } from './audit-file.js';
import type { Protocol } from './inspect-clients.js';
import { http1Request, http2Request, http2Session, openTlsTunnel, requestThrough } from './inspect-clients.js';
import { issueCert } from './make-pki.js';
import { untilConnections } from './open-connections.js';
import { readToEnd, sendConnect, viaProxy } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import type { InspectPki } from './start-inspecting-proxy.js';
import { API, inspected, makeInspectPki, OTHER, startInspectingProxy } from './start-inspecting-proxy.js';
import { startHttpsUpstream } from './upstreams.js';

const API_KEY = 'key-live-0123456789abcdef';
const BEARER = 'Bearer tok-live-abcdef0123456789';

const created = (_req: unknown, res: ServerResponse): void => {
  res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
  res.end('{"created":true}');
};

describe.each<Protocol>(['http/1.1', 'h2'])('a request in an inspected tunnel over %s', (protocol) => {
  it('arrives upstream with the x-api-key the proxy sets, not the one the client sent, and the answer comes back whole', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, created);
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });

    const response = await requestThrough(port, `${API}:${upstream.port}`, pki.agentCa.cert, protocol, {
      method: 'POST',
      path: '/v1/items?limit=2',
      headers: { 'x-api-key': 'placeholder-from-the-agent', 'content-type': 'application/json' },
      chunks: ['{"name":', '"widget"}'],
    });

    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-upstream']).toBe('yes');
    expect(response.body).toBe('{"created":true}');
    expect(upstream.seen).toHaveLength(1);
    const [seen] = upstream.seen;
    expect(seen).toMatchObject({ method: 'POST', url: '/v1/items?limit=2', body: '{"name":"widget"}' });
    expect(seen?.headers['x-api-key']).toBe(API_KEY);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.host).toBe(`${API}:${upstream.port}`);
    expect(seen?.headers['content-length']).toBe('17');

    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: API, port: upstream.port, decision: 'allow', status: 200, inspect: true, address: '127.0.0.1' }),
      expect.objectContaining({ method: 'POST', host: API, port: upstream.port, path: '/v1/items', decision: 'allow', status: 201, address: '127.0.0.1' }),
    ]);
  });

  it('replaces the Authorization the client sent with the Bearer credential, and keeps its other headers', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const credentials = [{ host: API, header: 'authorization', value: BEARER }];
    const { port } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });

    const response = await requestThrough(port, `${API}:${upstream.port}`, pki.agentCa.cert, protocol, {
      path: '/v1/me',
      headers: { authorization: 'Bearer agent-placeholder', 'x-request-id': 'r-1', cookie: 'a=1' },
    });

    expect(response.status).toBe(200);
    expect(response.body).toBe('ok');
    const [seen] = upstream.seen;
    expect(seen?.headers.authorization).toBe(BEARER);
    expect(seen?.headers['x-request-id']).toBe('r-1');
    expect(seen?.headers.cookie).toBe('a=1');
    expect(seen?.method).toBe('GET');
    expect(seen?.body).toBe('');
  });

  it('sends a request with no body upstream without one, and relays an empty answer', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => {
      res.writeHead(204, { 'x-upstream': 'empty' });
      res.end();
    });
    const { port } = await startInspectingProxy(inspected(upstream.port), { pki });

    const response = await requestThrough(port, `${API}:${upstream.port}`, pki.agentCa.cert, protocol, { method: 'DELETE', path: '/v1/items/7' });

    expect(response).toMatchObject({ status: 204, body: '' });
    expect(response.headers['x-upstream']).toBe('empty');
    expect(upstream.seen.map(({ method, url, body }) => ({ method, url, body }))).toEqual([{ method: 'DELETE', url: '/v1/items/7', body: '' }]);
    // No credentials file entry for the host: nothing is added.
    expect(upstream.seen[0]?.headers['x-api-key']).toBeUndefined();
  });
});

describe('the answer of an inspected request', () => {
  /** An upstream that sends one event, then holds the rest until the test has seen the first arrive at the agent. */
  async function heldStream(): Promise<{ port: number; release: () => void; pki: InspectPki }> {
    const pki = await makeInspectPki();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      void held.then(() => res.end('data: two\n\n'));
    });
    return { port: upstream.port, release, pki };
  }

  it('streams to an HTTP/1.1 agent chunk by chunk, before the upstream has finished', async () => {
    const { port: upstreamPort, release, pki } = await heldStream();
    const { port } = await startInspectingProxy(inspected(upstreamPort), { pki });
    const secure = await openTlsTunnel(port, `${API}:${upstreamPort}`, { ca: pki.agentCa.cert, servername: API, alpn: ['http/1.1'] });

    const received = await new Promise<string[]>((resolve, reject) => {
      const req = request({ createConnection: () => secure, path: '/events', headers: { host: `${API}:${upstreamPort}` } }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        const chunks: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          chunks.push(chunk);
          if (chunks.length === 1) release();
        });
        res.on('end', () => resolve(chunks));
      });
      req.on('error', reject);
      req.end();
    });
    expect(received[0]).toBe('data: one\n\n');
    expect(received.join('')).toBe('data: one\n\ndata: two\n\n');
  }, 10_000);

  it('streams to an HTTP/2 agent chunk by chunk, before the upstream has finished', async () => {
    const { port: upstreamPort, release, pki } = await heldStream();
    const { port } = await startInspectingProxy(inspected(upstreamPort), { pki });
    const secure = await openTlsTunnel(port, `${API}:${upstreamPort}`, { ca: pki.agentCa.cert, servername: API, alpn: ['h2'] });
    const session = http2Session(secure, `${API}:${upstreamPort}`);

    const received = await new Promise<string[]>((resolve, reject) => {
      const stream = session.request({ ':path': '/events' });
      const chunks: string[] = [];
      stream.setEncoding('utf8');
      stream.on('response', (headers) => expect(headers['content-type']).toBe('text/event-stream'));
      stream.on('data', (chunk: string) => {
        chunks.push(chunk);
        if (chunks.length === 1) release();
      });
      stream.on('end', () => resolve(chunks));
      stream.on('error', reject);
      stream.end();
    });
    expect(received[0]).toBe('data: one\n\n');
    expect(received.join('')).toBe('data: one\n\ndata: two\n\n');
  }, 10_000);
});

describe('an inspected tunnel', () => {
  it('serves several HTTP/2 requests on one session, each with the credential and an audit line of its own', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (req, res) => res.end(`you asked ${req.url}`));
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });
    const secure = await openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.agentCa.cert, servername: API });
    expect(secure.alpnProtocol).toBe('h2');
    const session = http2Session(secure, `${API}:${upstream.port}`);

    const answers = await Promise.all(['/a', '/b', '/c'].map((path) => http2Request(session, { path })));
    expect(answers.map(({ status, body }) => `${status} ${body}`)).toEqual(['200 you asked /a', '200 you asked /b', '200 you asked /c']);
    expect(upstream.seen.map((seen) => seen.headers['x-api-key'])).toEqual([API_KEY, API_KEY, API_KEY]);
    session.close();

    const lines = await stop();
    expect(lines.filter((line) => line.method === 'CONNECT')).toHaveLength(1);
    expect(lines.filter((line) => line.method === 'GET').map((line) => line.path).sort()).toEqual(['/a', '/b', '/c']);
  });

  it("adds a host's credential to that host only", async () => {
    const pki = await makeInspectPki([API, OTHER]);
    const api = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('api'));
    const other = await startHttpsUpstream(await issueCert(pki.upstreamCa, OTHER), (_req, res) => res.end('other'));
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port } = await startInspectingProxy([...inspected(api.port), ...inspected(other.port, {}, OTHER)], { pki, credentials });

    const response = await requestThrough(port, `${OTHER}:${other.port}`, pki.agentCa.cert, 'h2', { path: '/', headers: { 'x-api-key': 'the-agents-own-key' } });

    expect(response).toMatchObject({ status: 200, body: 'other' });
    expect(other.seen[0]?.headers['x-api-key']).toBe('the-agents-own-key');
    expect(api.seen).toEqual([]);
  });

  it('answers 421 to a request for another host than the tunnel, on HTTP/2 and HTTP/1.1, and forwards nothing', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki });
    const authority = `${API}:${upstream.port}`;

    const h2 = http2Session(await openTlsTunnel(port, authority, { ca: pki.agentCa.cert, servername: API, alpn: ['h2'] }), authority);
    const misdirected = await http2Request(h2, { path: '/', headers: { ':authority': `${OTHER}:${upstream.port}` } });
    expect(misdirected.status).toBe(421);
    expect(misdirected.body).toContain(`the request is for ${OTHER}, not ${API}; open a tunnel (CONNECT) to that host`);
    // The session stays usable for its own host.
    expect((await http2Request(h2, { path: '/' })).status).toBe(200);

    const h1 = await openTlsTunnel(port, authority, { ca: pki.agentCa.cert, servername: API, alpn: ['http/1.1'] });
    expect((await http1Request(h1, `${OTHER}:${upstream.port}`, { path: '/' })).status).toBe(421);

    expect(upstream.seen).toHaveLength(1);
    const refused = (await stop()).filter((line) => line.status === 421);
    expect(refused).toEqual([
      expect.objectContaining({ method: 'GET', host: API, decision: 'deny', path: '/' }),
      expect.objectContaining({ method: 'GET', host: API, decision: 'deny', path: '/' }),
    ]);
  });
});

describe('a misdirected request naming a secret', () => {
  it('is refused without the secret in the audit log', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port, stop, auditPath } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });
    const authority = `${API}:${upstream.port}`;
    const h2 = http2Session(await openTlsTunnel(port, authority, { ca: pki.agentCa.cert, servername: API, alpn: ['h2'] }), authority);
    const refused = await http2Request(h2, { path: '/', headers: { ':authority': `${API_KEY}.example:${upstream.port}` } });
    expect(refused.status).toBe(421);
    expect(refused.body).not.toContain(API_KEY);
    const lines = await stop();
    expect(lines).toContainEqual(expect.objectContaining({ status: 421, reason: 'the request is for (a host withheld: it carries a secret), not api.test' }));
    expect(await readFile(auditPath, 'utf8')).not.toContain(API_KEY);
  });
});

describe('the TLS of an inspected tunnel', () => {
  it('shows the agent a leaf for the CONNECT host that the bottle CA signed, offering h2 and http/1.1', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port } = await startInspectingProxy(inspected(upstream.port), { pki });

    const h2 = await openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.agentCa.cert, servername: API });
    expect(h2.getPeerCertificate().subject.CN).toBe(API);
    expect(h2.getPeerCertificate().issuer.CN).toBe('bottle test CA');
    expect(h2.alpnProtocol).toBe('h2');
    const h1 = await openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.agentCa.cert, servername: API, alpn: ['http/1.1'] });
    expect(h1.alpnProtocol).toBe('http/1.1');
    // The upstream's own CA is not what the agent sees.
    await expect(openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.upstreamCa.cert, servername: API })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('fails the handshake when the TLS server name is not the CONNECT host, and audits the CONNECT as denied', async () => {
    const pki = await makeInspectPki([API, OTHER]);
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki });

    await expect(openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.agentCa.cert, servername: OTHER })).rejects.toThrow();

    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([
      expect.objectContaining({
        method: 'CONNECT', host: API, port: upstream.port, decision: 'deny', inspect: true,
        reason: expect.stringContaining(`the TLS server name ${OTHER} is not the CONNECT host ${API}`),
      }),
    ]);
  });

  it('fails the handshake when the client sends no TLS server name, and says so in the audit log', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki });

    await expect(openTlsTunnel(port, `${API}:${upstream.port}`, { ca: pki.agentCa.cert, servername: undefined })).rejects.toThrow();

    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([
      expect.objectContaining({
        method: 'CONNECT', host: API, inspect: true,
        reason: `TLS with the client failed: the client sent no TLS server name; it must name ${API}`,
      }),
    ]);
  });

  it('closes and audits a tunnel whose client leaves after the 200, before any TLS', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, proxy, auditPath } = await startInspectingProxy(inspected(upstream.port), { pki });

    const tunnel = await sendConnect(port, `${API}:${upstream.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();

    // Seen by the proxy at once, not after the idle timeout (five minutes here).
    await untilConnections(proxy.server, 0);
    expect(await untilAuditLines(auditPath, 1)).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: API, status: 200, inspect: true, reason: expect.stringContaining('client') }),
    ]);
  }, 5_000);

  it('answers the CONNECT 502 when there is no leaf for the host, naming the file it looked for', async () => {
    const pki = await makeInspectPki([]);
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki });

    const tunnel = await sendConnect(port, `${API}:${upstream.port}`);
    expect(tunnel.status).toBe(502);
    const body = await readToEnd(tunnel.socket, tunnel.rest);
    expect(body).toContain(`cannot inspect ${API}:${upstream.port}: no leaf certificate for ${API} in ${pki.leafDir} (looked for ${API}.crt)`);

    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: API, status: 502, reason: expect.stringContaining('no leaf certificate') }),
    ]);
  });

  it('answers the CONNECT 502 when the proxy has no inspect options at all', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startProxy(inspected(upstream.port), { hosts: { [API]: '127.0.0.1' } });

    const tunnel = await sendConnect(port, `${API}:${upstream.port}`);
    expect(tunnel.status).toBe(502);
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toContain('the egress config has no inspect section');
    expect(await stop()).toEqual([expect.objectContaining({ method: 'CONNECT', status: 502, reason: 'the egress config has no inspect section' })]);
  });
});

describe('plain http:// to an inspected host', () => {
  it('is refused with 403 (rule inspect), saying to use https, and never reaches the upstream', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });

    const response = await viaProxy(port, { url: `http://${API}:${upstream.port}/v1/items` });

    expect(response.status).toBe(403);
    expect(response.body).toBe(`bot-bottle egress: ${API}:${upstream.port}: an inspected host is reached over https only; use https:// (CONNECT)`);
    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([expect.objectContaining({ method: 'GET', host: API, decision: 'deny', status: 403, rule: 'inspect' })]);
  });
});
