import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTlsHealthServer, loadTlsFiles, TlsFilesError } from '../../../daemons/egress/tls-health.js';
import { tempDir } from '../../state/temp-dir.js';
import { httpsGet } from './https-get.js';
import { makeCert } from './make-cert.js';

describe('the TLS health server', () => {
  it('answers GET /health over HTTPS to a client that trusts the certificate, and fails one that does not', async () => {
    const cert = await makeCert();
    const server = createTlsHealthServer(await loadTlsFiles({ cert: cert.certPath, key: cert.keyPath }));
    const { port } = await server.listen('127.0.0.1', 0);
    onTestFinished(() => server.close());

    const response = await httpsGet(port, '/health', cert.ca);
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({ status: 'ok', daemon: 'egress' });
    expect((await httpsGet(port, '/other', cert.ca)).status).toBe(404);
    await expect(httpsGet(port, '/health')).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('names the field and path of a file it cannot read', async () => {
    const cert = await makeCert();
    const missing = join(await tempDir(), 'missing.key');
    const reading = loadTlsFiles({ cert: cert.certPath, key: missing });
    await expect(reading).rejects.toBeInstanceOf(TlsFilesError);
    await expect(reading).rejects.toThrow(`Cannot read tls.key ${missing}: ENOENT`);
  });

  it('refuses a key that does not match the certificate, naming both fields', async () => {
    const [one, other] = await Promise.all([makeCert(), makeCert()]);
    const files = await loadTlsFiles({ cert: one.certPath, key: other.keyPath });
    expect(() => createTlsHealthServer(files)).toThrow(/^The TLS certificate and key cannot be used \(.+\); check tls\.cert and tls\.key\.$/);
    const garbage = join(await tempDir(), 'garbage.pem');
    await writeFile(garbage, 'not a pem');
    const bad = await loadTlsFiles({ cert: garbage, key: one.keyPath });
    expect(() => createTlsHealthServer(bad)).toThrow(TlsFilesError);
  });
});
