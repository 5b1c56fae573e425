/**
 * Secrets in inspected requests, through the real proxy: a request that
 * carries an injected credential's value (in its body, path, query
 * percent-encoded, or a header other than the credential's own, to any
 * inspected host) or text a built-in secret pattern matches is refused with
 * 403 `secret-in-request` before anything goes upstream, and neither the
 * reply nor the audit log (read as a file) holds the value.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { http1Request, http2Request, http2Session, openTlsTunnel } from './inspect-clients.js';
import type { AgentRequest } from './inspect-clients.js';
import { issueCert } from './make-pki.js';
import { API, inspected, makeInspectPki, OTHER, startInspectingProxy } from './start-inspecting-proxy.js';
import { startHttpsUpstream } from './upstreams.js';
import { GITHUB_TOKEN, KEY_BODY, privateKey } from '../common/fake-secrets.js';

/** Characters percent-encoding changes, so its encoded form differs from it. */
const API_KEY = 'key/live+0123456789=abc';
const TOKEN = 'tok-live-abcdef0123456789';
const BEARER = `Bearer ${TOKEN}`;

async function setUp() {
  const pki = await makeInspectPki([API, OTHER]);
  const upstream = await startHttpsUpstream(pki.upstreamCert, (_req, res) => res.end('ok'));
  const other = await startHttpsUpstream(await issueCert(pki.upstreamCa, OTHER), (_req, res) => res.end('ok'));
  const credentials = [
    { host: API, header: 'x-api-key', value: API_KEY },
    { host: API, header: 'authorization', value: BEARER },
  ];
  const proxy = await startInspectingProxy([...inspected(upstream.port), ...inspected(other.port, {}, OTHER)], { pki, credentials });
  const tunnel = async (host: string, port: number, alpn: string[]) =>
    openTlsTunnel(proxy.port, `${host}:${port}`, { ca: pki.agentCa.cert, servername: host, alpn });
  const session = http2Session(await tunnel(API, upstream.port, ['h2']), `${API}:${upstream.port}`);
  /** The audit log as written, once the proxy has stopped. */
  const auditText = async (): Promise<string> => {
    await proxy.stop();
    return readFile(proxy.auditPath, 'utf8');
  };
  return { upstream, other, proxy, session, tunnel, auditText };
}

const REFUSAL = /^bot-bottle egress: request to [a-z.]+:\d+ refused \(secret-in-request\): (.+) carries (.+); remove it; this bottle's proxy adds the credentials an inspected host needs by itself$/;

describe('a credential value in an inspected request', () => {
  it.each<[string, AgentRequest, string]>([
    ['the body', { method: 'POST', path: '/v1/notes', chunks: [`{"note":"my key is ${API_KEY}"}`] }, 'the body'],
    ['the query, percent-encoded', { path: `/v1/search?q=${encodeURIComponent(API_KEY)}` }, 'the path'],
    ['another header', { path: '/v1/items', headers: { 'x-note': `key=${API_KEY}` } }, 'the header x-note'],
    ['the body, as the bearer token without its scheme', { method: 'PUT', path: '/v1/notes/1', chunks: [`token: ${TOKEN}`] }, 'the body'],
    ['the body, percent-encoded as a form field', { method: 'POST', path: '/v1/form', chunks: [`key=${encodeURIComponent(API_KEY)}`] }, 'the body'],
  ])('in %s is refused with 403 secret-in-request; the upstream gets nothing and the audit log never holds it', async (_case, request, where) => {
    const { upstream, session, auditText } = await setUp();

    const response = await http2Request(session, request);

    expect(response.status).toBe(403);
    const [, said, what] = REFUSAL.exec(response.body) ?? [];
    expect(said).toBe(where);
    expect(what).toBe(`the credential for ${API}`);
    for (const text of [response.body, await auditText()]) {
      for (const secret of [API_KEY, encodeURIComponent(API_KEY), TOKEN]) expect(text).not.toContain(secret);
    }
    expect(upstream.seen).toEqual([]);
  });

  it('is audited with the rule, the reason and the path without its query', async () => {
    const { proxy, session } = await setUp();

    await http2Request(session, { path: `/v1/search?q=${encodeURIComponent(API_KEY)}` });

    expect((await proxy.stop()).at(-1)).toMatchObject({
      method: 'GET', host: API, path: '/v1/search', decision: 'deny', status: 403, rule: 'secret-in-request',
      reason: `the path carries the credential for ${API}`,
    });
  });

  it('in the path itself withholds the path from the audit log', async () => {
    const { upstream, proxy, session } = await setUp();

    const response = await http2Request(session, { path: `/v1/keys/${encodeURIComponent(API_KEY)}/rotate` });

    expect(response.status).toBe(403);
    expect(upstream.seen).toEqual([]);
    expect((await proxy.stop()).at(-1)).toMatchObject({ path: '(withheld: the path carries a secret)', rule: 'secret-in-request' });
  });

  it('sent to another inspected host is refused too: the agent may not carry a key elsewhere', async () => {
    const { other, tunnel, auditText } = await setUp();
    const session = http2Session(await tunnel(OTHER, other.port, ['h2']), `${OTHER}:${other.port}`);

    const response = await http2Request(session, { method: 'POST', path: '/upload', chunks: [API_KEY] });

    expect(response.status).toBe(403);
    expect(response.body).toContain(`the body carries the credential for ${API}`);
    expect(other.seen).toEqual([]);
    expect(await auditText()).not.toContain(API_KEY);
  });

  it('is refused on HTTP/1.1 as on HTTP/2', async () => {
    const { upstream, tunnel, auditText } = await setUp();
    const secure = await tunnel(API, upstream.port, ['http/1.1']);

    const response = await http1Request(secure, `${API}:${upstream.port}`, { method: 'POST', path: '/v1/notes', chunks: ['a', API_KEY, 'b'] });

    expect(response.status).toBe(403);
    expect(response.body).toContain('secret-in-request');
    expect(upstream.seen).toEqual([]);
    expect(await auditText()).not.toContain(API_KEY);
  });

  it('in the query of a request target that is not a path (400) stays out of the audit log', async () => {
    const { upstream, tunnel, auditText } = await setUp();
    const secure = await tunnel(API, upstream.port, ['http/1.1']);

    const response = await http1Request(secure, `${API}:${upstream.port}`, { path: `https://${API}:${upstream.port}/v1/items?key=${API_KEY}` });

    expect(response.status).toBe(400);
    expect(response.body).toContain('is not a path; send origin-form requests in the tunnel');
    expect(upstream.seen).toEqual([]);
    const audit = await auditText();
    expect(audit).toContain('"status":400');
    expect(audit).not.toContain(API_KEY);
  });

  it("in the credential's own header is not refused: the proxy replaces it", async () => {
    const { upstream, session } = await setUp();

    const response = await http2Request(session, { path: '/v1/items', headers: { 'x-api-key': API_KEY, authorization: BEARER } });

    expect(response.status).toBe(200);
    expect(upstream.seen.map((seen) => [seen.headers['x-api-key'], seen.headers.authorization])).toEqual([[API_KEY, BEARER]]);
  });
});

describe('a built-in secret pattern in an inspected request', () => {
  it('refuses a private key block in the body, naming the pattern and never the key', async () => {
    const { upstream, proxy, session } = await setUp();

    const response = await http2Request(session, { method: 'POST', path: '/v1/gists', chunks: [JSON.stringify({ file: privateKey() })] });

    expect(response.status).toBe(403);
    expect(response.body).toContain('the body carries private key');
    expect(response.body).not.toContain(KEY_BODY);
    expect(upstream.seen).toEqual([]);
    await proxy.stop();
    const audit = await readFile(proxy.auditPath, 'utf8');
    expect(audit).toContain('"rule":"secret-in-request"');
    expect(audit).not.toContain(KEY_BODY);
  });

  it('refuses a token in a header', async () => {
    const { upstream, session, auditText } = await setUp();

    const response = await http2Request(session, { path: '/v1/items', headers: { 'x-token': GITHUB_TOKEN } });

    expect(response.status).toBe(403);
    expect(response.body).toContain('the header x-token carries GitHub token');
    expect(upstream.seen).toEqual([]);
    expect(await auditText()).not.toContain(GITHUB_TOKEN);
  });

  it('lets an ordinary body through', async () => {
    const { upstream, session } = await setUp();

    const response = await http2Request(session, { method: 'POST', path: '/v1/notes', chunks: ['{"note":"-----BEGIN nothing secret-----"}'] });

    expect(response.status).toBe(200);
    expect(upstream.seen.map((seen) => seen.body)).toEqual(['{"note":"-----BEGIN nothing secret-----"}']);
  });
});
