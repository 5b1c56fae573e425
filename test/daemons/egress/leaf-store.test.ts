/**
 * The leaf store on real files made by openssl: which certificate a leaf's
 * secure context shows is read by a real TLS client from a real TLS server
 * on 127.0.0.1 that serves it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { SecureContext } from 'node:tls';
import { connect, createServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LeafLookup } from '../../../daemons/egress/leaf-store.js';
import { createLeafStore, leafName } from '../../../daemons/egress/leaf-store.js';
import { tempDir } from '../../state/temp-dir.js';
import type { KeyPair } from './make-pki.js';
import { issueCert, makeCa } from './make-pki.js';
import { replaceFile } from './replace-file.js';

/** The subject and issuer CN of the certificate a TLS server with `context` shows a client asking for `servername`. */
async function shown(lookup: LeafLookup, servername: string, cas: readonly KeyPair[]): Promise<string> {
  if (!lookup.ok) throw new Error(`no leaf: ${lookup.reason}`);
  const context: SecureContext = lookup.context;
  const server = createServer({ SNICallback: (_name, callback) => callback(null, context) }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const client = connect({ host: '127.0.0.1', port, servername, ca: cas.map((ca) => ca.cert) }, () => {
      const certificate = client.getPeerCertificate();
      client.destroy();
      resolve(`${certificate.subject.CN} by ${certificate.issuer.CN}`);
    });
    client.on('error', reject);
  });
}

describe('leafFor', () => {
  it("gives the host's own leaf", async () => {
    const [ca, dir] = await Promise.all([makeCa('bottle CA'), tempDir()]);
    await issueCert(ca, 'api.test', { dir });
    const leaves = createLeafStore(dir);
    expect(await shown(await leaves.leafFor('api.test', ['api.test']), 'api.test', [ca])).toBe('api.test by bottle CA');
  });

  it("gives a *.domain rule's wildcard leaf to a host under it, and prefers the host's own leaf when there is one", async () => {
    const [ca, dir] = await Promise.all([makeCa('bottle CA'), tempDir()]);
    await issueCert(ca, '*.svc.test', { dir, base: '_wildcard.svc.test' });
    const leaves = createLeafStore(dir);
    expect(await shown(await leaves.leafFor('api.svc.test', ['*.svc.test']), 'api.svc.test', [ca])).toBe('*.svc.test by bottle CA');

    await issueCert(ca, 'own.svc.test', { dir });
    expect(await shown(await leaves.leafFor('own.svc.test', ['*.svc.test']), 'own.svc.test', [ca])).toBe('own.svc.test by bottle CA');
  });

  it("does not use a wildcard leaf that no matching rule names, and says which files it looked for", async () => {
    const [ca, dir] = await Promise.all([makeCa('bottle CA'), tempDir()]);
    await issueCert(ca, '*.svc.test', { dir, base: '_wildcard.svc.test' });
    const leaves = createLeafStore(dir);
    expect(await leaves.leafFor('api.svc.test', ['api.svc.test'])).toEqual({
      ok: false,
      reason: `no leaf certificate for api.svc.test in ${dir} (looked for api.svc.test.crt); bottle issues one per inspected host`,
    });
    expect(await leaves.leafFor('x.other.test', ['*.other.test'])).toEqual({
      ok: false,
      reason: `no leaf certificate for x.other.test in ${dir} (looked for x.other.test.crt, _wildcard.other.test.crt); bottle issues one per inspected host`,
    });
  });

  it('names a leaf with one of its two files, and one whose files cannot be used', async () => {
    const [ca, dir] = await Promise.all([makeCa('bottle CA'), tempDir()]);
    await issueCert(ca, 'api.test', { dir });
    await writeFile(join(dir, 'half.test.crt'), 'x');
    await writeFile(join(dir, 'broken.test.crt'), 'not a certificate');
    await writeFile(join(dir, 'broken.test.key'), 'not a key');
    const leaves = createLeafStore(dir);
    expect(await leaves.leafFor('half.test', [])).toEqual({ ok: false, reason: `the leaf half.test in ${dir} has only its .crt file; bottle writes both` });
    const broken = await leaves.leafFor('broken.test', []);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.reason).toMatch(new RegExp(`^the leaf broken\\.test\\.crt/\\.key in ${dir} cannot be used: \\S`));
  });

  it('loads a leaf again when its files are replaced, and reports it when the new files are unusable', async () => {
    const [first, second, dir] = await Promise.all([makeCa('first CA'), makeCa('second CA'), tempDir()]);
    const leaves = createLeafStore(dir);
    await issueCert(first, 'api.test', { dir });
    const before = await leaves.leafFor('api.test', []);
    expect(await shown(before, 'api.test', [first, second])).toBe('api.test by first CA');
    // Asked again unchanged: the same context, not a new one.
    const again = await leaves.leafFor('api.test', []);
    expect(again.ok && before.ok && again.context === before.context).toBe(true);

    const replacement = await issueCert(second, 'api.test');
    await replaceFile(join(dir, 'api.test.crt'), replacement.cert.toString());
    await replaceFile(join(dir, 'api.test.key'), replacement.key.toString());
    expect(await shown(await leaves.leafFor('api.test', []), 'api.test', [first, second])).toBe('api.test by second CA');

    await replaceFile(join(dir, 'api.test.key'), 'garbage');
    expect((await leaves.leafFor('api.test', [])).ok).toBe(false);
  });
});

describe('leafName', () => {
  it('is the host, or _wildcard.<domain> for *.domain', () => {
    expect(leafName('api.example.com')).toBe('api.example.com');
    expect(leafName('*.example.com')).toBe('_wildcard.example.com');
  });
});
