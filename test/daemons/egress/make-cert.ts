/**
 * A self-signed certificate for 127.0.0.1 made by the real `openssl` CLI in a
 * fresh temp dir: it serves as the bottle's CA and the server's certificate.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../../state/temp-dir.js';

export interface TestCert {
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate's PEM, to pass as a client's `ca`. */
  readonly ca: Buffer;
}

export async function makeCert(): Promise<TestCert> {
  const dir = await tempDir();
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  await execa('/usr/bin/openssl', [
    'req', '-x509', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyPath, '-out', certPath,
    '-days', '1', '-subj', '/CN=bot-bottle test CA',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { certPath, keyPath, ca: await readFile(certPath) };
}
