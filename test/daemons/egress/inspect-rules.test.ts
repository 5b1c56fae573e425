/**
 * An inspect rule's `methods` and `paths` judging each request of a real
 * inspected tunnel: a refused request gets a 403 naming the rule field, is
 * audited with its path (never its query) and never reaches the upstream,
 * however its path is spelled (percent-encoded, dot segments, doubled
 * slashes); an allowed one goes through. Also `denyHosts` over an inspect rule.
 */
import { describe, expect, it } from 'vitest';
import type { AllowRule } from '../../../daemons/egress/allowlist.js';
import { http1Request, http2Request, http2Session, openTlsTunnel } from './inspect-clients.js';
import { readToEnd, sendConnect } from './proxy-clients.js';
import { API, inspected, makeInspectPki, startInspectingProxy } from './start-inspecting-proxy.js';
import { startHttpsUpstream } from './upstreams.js';

const RULE: Partial<AllowRule> = { methods: ['GET', 'POST'], paths: { allow: ['/v1/*'], deny: ['/v1/admin*'] } };

/** A proxy inspecting API with `rules`' extra fields (one inspect rule each), an upstream answering `ok <path>`, and an HTTP/2 session. */
async function setUp(...rules: Array<Partial<AllowRule>>) {
  const pki = await makeInspectPki();
  const upstream = await startHttpsUpstream(pki.upstreamCert, (req, res) => res.end(`ok ${req.url}`));
  const allow = rules.flatMap((rule) => inspected(upstream.port, rule));
  const proxy = await startInspectingProxy(allow, { pki });
  const authority = `${API}:${upstream.port}`;
  const open = (alpn: string[]) => openTlsTunnel(proxy.port, authority, { ca: pki.agentCa.cert, servername: API, alpn });
  const session = http2Session(await open(['h2']), authority);
  return { upstream, proxy, authority, session, open };
}

describe('methods and paths of an inspect rule', () => {
  it('lets an allowed method and path through, and audits the path without its query', async () => {
    const { upstream, proxy, session } = await setUp(RULE);

    const got = await http2Request(session, { path: '/v1/items?page=2&q=widgets' });
    const posted = await http2Request(session, { method: 'POST', path: '/v1/items', chunks: ['{}'] });

    expect([got, posted].map(({ status, body }) => `${status} ${body}`)).toEqual(['200 ok /v1/items?page=2&q=widgets', '200 ok /v1/items']);
    expect(upstream.seen.map((seen) => `${seen.method} ${seen.url}`)).toEqual(['GET /v1/items?page=2&q=widgets', 'POST /v1/items']);
    const requests = (await proxy.stop()).filter((line) => line.method !== 'CONNECT');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v1/items', decision: 'allow', status: 200 }),
      expect.objectContaining({ method: 'POST', path: '/v1/items', decision: 'allow', status: 200 }),
    ]);
    expect(requests.map((line) => line.rule)).toEqual([undefined, undefined]);
  });

  it('refuses a method not in methods with 403 (rule methods), and forwards nothing', async () => {
    const { upstream, proxy, session, authority } = await setUp(RULE);

    const response = await http2Request(session, { method: 'DELETE', path: '/v1/items/7?force=1' });

    expect(response.status).toBe(403);
    expect(response.body).toBe(`bot-bottle egress: DELETE to ${authority} refused by the rule methods: DELETE is not one of the methods GET, POST allowed for ${API}`);
    expect(upstream.seen).toEqual([]);
    expect((await proxy.stop()).at(-1)).toMatchObject({ method: 'DELETE', host: API, path: '/v1/items/7', decision: 'deny', status: 403, rule: 'methods' });
  });

  it('refuses a path outside paths.allow (rule paths.allow) and one in paths.deny (rule paths.deny)', async () => {
    const { upstream, proxy, session } = await setUp(RULE);

    const outside = await http2Request(session, { path: '/v2/items' });
    const denied = await http2Request(session, { path: '/v1/admin/users?all=1' });

    expect(outside.status).toBe(403);
    expect(outside.body).toContain(`refused by the rule paths.allow: the path matches none of paths.allow (/v1/*) for ${API}`);
    expect(denied.status).toBe(403);
    expect(denied.body).toContain(`refused by the rule paths.deny: the path matches "/v1/admin*" in paths.deny for ${API}`);
    expect(upstream.seen).toEqual([]);
    const lines = (await proxy.stop()).filter((line) => line.method === 'GET');
    expect(lines.map(({ path, status, rule }) => ({ path, status, rule }))).toEqual([
      { path: '/v2/items', status: 403, rule: 'paths.allow' },
      { path: '/v1/admin/users', status: 403, rule: 'paths.deny' },
    ]);
  });

  it.each([
    ['/v1/%61dmin/users', 'paths.deny'],
    ['/v1/%61%64%6D%69%6e', 'paths.deny'],
    ['/v1/x/../admin/users', 'paths.deny'],
    ['/v1/./admin', 'paths.deny'],
    ['/v1/%2e%2e/v1/admin', 'paths.deny'],
    ['/v1//admin/users', 'paths.deny'],
    ['/v1/%2Fadmin', 'paths.deny'],
    ['/v1/admin%ff', 'paths.deny'],
    ['/v1/../admin', 'paths.allow'],
    ['/v1/%2e%2e/admin', 'paths.allow'],
    ['/v1/..%2fadmin', 'paths.allow'],
  ])('refuses %s however it is spelled (rule %s)', async (path, rule) => {
    const { upstream, proxy, session } = await setUp(RULE);

    const response = await http2Request(session, { path });

    expect(response.status).toBe(403);
    expect(upstream.seen).toEqual([]);
    expect((await proxy.stop()).at(-1)).toMatchObject({ method: 'GET', path, decision: 'deny', status: 403, rule });
  });

  it('lets a request through when any one of the host\'s inspect rules allows it, and refuses by the first rule otherwise', async () => {
    const reader: Partial<AllowRule> = { methods: ['GET'], paths: { allow: ['/v1/*'] } };
    const uploader: Partial<AllowRule> = { methods: ['POST'], paths: { allow: ['/v1/upload'] } };
    const { upstream, session } = await setUp(reader, uploader);

    const upload = await http2Request(session, { method: 'POST', path: '/v1/upload', chunks: ['data'] });
    const read = await http2Request(session, { path: '/v1/items' });
    const other = await http2Request(session, { method: 'POST', path: '/v1/items', chunks: ['data'] });

    expect([upload.status, read.status, other.status]).toEqual([200, 200, 403]);
    expect(other.body).toContain('refused by the rule methods: POST is not one of the methods GET allowed');
    expect(upstream.seen.map((seen) => `${seen.method} ${seen.url}`)).toEqual(['POST /v1/upload', 'GET /v1/items']);
  });

  it('refuses an HTTP/1.1 request with a body before reading it, and closes that connection after the 403', async () => {
    const { upstream, open, authority } = await setUp(RULE);
    const secure = await open(['http/1.1']);

    const response = await http1Request(secure, authority, {
      method: 'POST',
      path: '/v1/admin/reset',
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      chunks: ['{}'],
    });

    expect(response.status).toBe(403);
    expect(response.headers.connection).toBe('close');
    expect(upstream.seen).toEqual([]);
  });
});

describe('denyHosts over an inspect rule', () => {
  it('refuses the CONNECT with 403 (rule denyHosts), though an inspect rule allows the host', async () => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki, denyHosts: ['*.test'] });

    const tunnel = await sendConnect(port, `${API}:${upstream.port}`);

    expect(tunnel.status).toBe(403);
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe(`bot-bottle egress: ${API} is on this bottle's denied hosts (bottle deny)`);
    expect(await stop()).toEqual([expect.objectContaining({ method: 'CONNECT', host: API, decision: 'deny', status: 403, rule: 'denyHosts' })]);
  });
});
