import { describe, expect, it } from 'vitest';
import type { Credential } from '../../../daemons/egress/credentials.js';
import { credentialForms, findSecret } from '../../../daemons/egress/request-secrets.js';
import { AWS_KEY_ID, GITHUB_TOKEN, privateKey } from '../common/fake-secrets.js';

const KEY: Credential = { host: 'api.example.com', header: 'x-api-key', value: 'key/live+0123456789=' };
const BEARER: Credential = { host: '*.other.test', header: 'authorization', value: 'Bearer tok-0123456789abcdef' };
const CREDENTIALS = [KEY, BEARER];

const parts = (extra: { path?: string; headers?: Array<[string, string]>; body?: string }) => ({
  path: extra.path ?? '/v1/items',
  headers: extra.headers ?? [['content-type', 'application/json']],
  body: Buffer.from(extra.body ?? ''),
});

describe('findSecret', () => {
  it('finds nothing in an ordinary request', async () => {
    expect(await findSecret(parts({ body: '{"name":"widget"}' }), CREDENTIALS)).toBeUndefined();
  });

  it.each<[string, Parameters<typeof parts>[0], string]>([
    ['the path', { path: `/v1/keys/${KEY.value}` }, 'the path'],
    ['the query, percent-encoded', { path: `/v1/items?k=${encodeURIComponent(KEY.value)}` }, 'the path'],
    ['a header', { headers: [['x-note', `it is ${KEY.value}`]] }, 'the header x-note'],
    ['the body', { body: `{"k":"${KEY.value}"}` }, 'the body'],
    ['the body, percent-encoded', { body: `k=${encodeURIComponent(KEY.value)}` }, 'the body'],
  ])("finds a credential's value in %s, naming its owner", async (_case, request, where) => {
    expect(await findSecret(parts(request), CREDENTIALS)).toEqual({ what: 'the credential for api.example.com', where });
  });

  it('finds the token of a Bearer credential sent without its scheme', async () => {
    expect(await findSecret(parts({ body: 'token=tok-0123456789abcdef' }), CREDENTIALS)).toEqual({ what: 'the credential for *.other.test', where: 'the body' });
  });

  it('finds built-in patterns in the path, a header and the body, naming the pattern', async () => {
    expect(await findSecret(parts({ path: `/v1/check?id=${AWS_KEY_ID}` }), [])).toEqual({ what: 'AWS access key id', where: 'the path' });
    expect(await findSecret(parts({ headers: [['x-token', GITHUB_TOKEN]] }), [])).toEqual({ what: 'GitHub token', where: 'the header x-token' });
    expect(await findSecret(parts({ body: `x\n${privateKey('RSA')}` }), [])).toEqual({ what: 'private key', where: 'the body' });
  });

  it('names a credential before a pattern, and takes the patterns it is given', async () => {
    const request = parts({ body: `${GITHUB_TOKEN} ${KEY.value}` });
    expect((await findSecret(request, CREDENTIALS))?.what).toBe('the credential for api.example.com');
    expect(await findSecret(parts({ body: 'internal-ticket-42' }), [], [{ name: 'ticket', regex: /internal-ticket-\d+/ }])).toEqual({ what: 'ticket', where: 'the body' });
    expect(await findSecret(parts({ body: GITHUB_TOKEN }), [], [])).toBeUndefined();
  });
});

describe('credentialForms', () => {
  it('is the value and its percent-encoding, and for an auth scheme the token alone too', () => {
    expect(credentialForms(KEY)).toEqual(['key/live+0123456789=', 'key%2Flive%2B0123456789%3D']);
    expect(credentialForms(BEARER)).toEqual(['Bearer tok-0123456789abcdef', 'Bearer%20tok-0123456789abcdef', 'tok-0123456789abcdef']);
  });

  it('leaves out a token short enough to be found by chance', () => {
    expect(credentialForms({ host: 'a.test', header: 'authorization', value: 'Basic abc' })).toEqual(['Basic abc', 'Basic%20abc']);
  });
});
