/**
 * The roots the proxy verifies inspected upstreams against, used by a real
 * TLS client against a real TLS server on 127.0.0.1.
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { connect, createServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EgressConfigError } from '../../../daemons/egress/config.js';
import { loadUpstreamTrust } from '../../../daemons/egress/upstream-trust.js';
import { tempDir } from '../../state/temp-dir.js';
import type { KeyPair } from './make-pki.js';
import { issueCert, makeCa } from './make-pki.js';

/** Whether a client verifying with `trust` (and the name `servername`) completes a handshake with a server showing `pair`. */
async function verifies(trust: SecureContext, pair: KeyPair, servername: string): Promise<true | string> {
  const server = createServer({ cert: pair.cert, key: pair.key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve) => {
    const client = connect({ host: '127.0.0.1', port, servername, secureContext: trust, rejectUnauthorized: true }, () => {
      client.destroy();
      resolve(true);
    });
    client.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('loadUpstreamTrust', () => {
  it('trusts what the given CA signed, for its name only, and not what another CA signed', async () => {
    const [ca, other] = await Promise.all([makeCa('upstream CA'), makeCa('other CA')]);
    const trust = await loadUpstreamTrust([ca.certPath]);
    expect(await verifies(trust, await issueCert(ca, 'api.test'), 'api.test')).toBe(true);
    expect(await verifies(trust, await issueCert(ca, 'api.test'), 'other.test')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await verifies(trust, await issueCert(other, 'api.test'), 'api.test')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await verifies(await loadUpstreamTrust([]), await issueCert(ca, 'api.test'), 'api.test')).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('names the field and path of a file it cannot read', async () => {
    const ca = await makeCa('upstream CA');
    const missing = join(await tempDir(), 'missing.pem');
    const loading = loadUpstreamTrust([ca.certPath, missing]);
    await expect(loading).rejects.toBeInstanceOf(EgressConfigError);
    await expect(loading).rejects.toThrow(`Cannot read inspect.upstreamCaFiles[1] ${missing}: ENOENT`);
  });

  it('refuses a file that is not a PEM certificate, rather than skipping it', async () => {
    const dir = await tempDir();
    const key = join(dir, 'key.pem');
    const ca = await makeCa('upstream CA');
    await writeFile(key, ca.key);
    await expect(loadUpstreamTrust([key])).rejects.toThrow(`inspect.upstreamCaFiles[0] ${key} is not a PEM certificate (no BEGIN CERTIFICATE block); give a CA certificate in PEM form.`);
    const mangled = join(dir, 'mangled.pem');
    await writeFile(mangled, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    await expect(loadUpstreamTrust([mangled])).rejects.toThrow(`inspect.upstreamCaFiles[0] ${mangled} is not a PEM certificate (`);
  });
});
