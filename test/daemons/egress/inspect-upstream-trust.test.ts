/**
 * The proxy's side of an inspected request: TLS to the upstream verified in
 * full against the configured roots. An upstream whose certificate is not
 * trusted (self-signed, signed by a CA the proxy was not given, or for
 * another name) gets the agent a 502 saying why, is audited, and never sees
 * the request: its handler is not called.
 */
import { describe, expect, it } from 'vitest';
import type { Protocol } from './inspect-clients.js';
import { requestThrough } from './inspect-clients.js';
import type { KeyPair } from './make-pki.js';
import { issueCert, selfSignedCert } from './make-pki.js';
import type { InspectPki } from './start-inspecting-proxy.js';
import { API, inspected, makeInspectPki, OTHER, startInspectingProxy } from './start-inspecting-proxy.js';
import { closedPort, startHttpsUpstream } from './upstreams.js';

const API_KEY = 'key-live-0123456789abcdef';

const UNTRUSTED: Array<[string, (pki: InspectPki) => Promise<KeyPair>, string]> = [
  ['self-signed', () => selfSignedCert(API), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['for another name', (pki) => issueCert(pki.upstreamCa, OTHER), 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ["signed by the bottle's own CA, which is for the agent only", (pki) => issueCert(pki.agentCa, API), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
];

describe.each<Protocol>(['http/1.1', 'h2'])('an inspected request over %s', (protocol) => {
  it.each(UNTRUSTED)('to an upstream whose certificate is %s gets a 502 and is never sent', async (_case, certificate, code) => {
    const pki = await makeInspectPki();
    const upstream = await startHttpsUpstream(await certificate(pki), (_req, res) => res.end('should not be reached'));
    const credentials = [{ host: API, header: 'x-api-key', value: API_KEY }];
    const { port, stop } = await startInspectingProxy(inspected(upstream.port), { pki, credentials });

    const response = await requestThrough(port, `${API}:${upstream.port}`, pki.agentCa.cert, protocol, {
      method: 'POST',
      path: '/v1/items?x=1',
      chunks: ['{"name":"widget"}'],
    });

    expect(response.status).toBe(502);
    expect(response.body).toMatch(new RegExp(`^bot-bottle egress: cannot reach ${API}:${upstream.port}: the upstream's TLS certificate is not trusted: .+ \\(${code}\\)$`));
    expect(upstream.seen).toEqual([]);
    expect((await stop()).at(-1)).toMatchObject({
      method: 'POST', host: API, port: upstream.port, path: '/v1/items', decision: 'allow', status: 502,
      reason: expect.stringContaining(`(${code})`),
    });
  });
});

describe('an inspected request to an upstream that is down', () => {
  it('gets a 502 naming the connection error', async () => {
    const pki = await makeInspectPki();
    const down = await closedPort();
    const { port, stop } = await startInspectingProxy(inspected(down), { pki });

    const response = await requestThrough(port, `${API}:${down}`, pki.agentCa.cert, 'h2', { path: '/' });

    expect(response.status).toBe(502);
    expect(response.body).toBe(`bot-bottle egress: cannot reach ${API}:${down}: connect ECONNREFUSED 127.0.0.1:${down}`);
    expect((await stop()).at(-1)).toMatchObject({ method: 'GET', status: 502, reason: `connect ECONNREFUSED 127.0.0.1:${down}` });
  });
});
