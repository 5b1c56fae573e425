/**
 * The certificates a TLS test engine needs, made with openssl (EC P-256): a
 * CA (lib/ca/openssl.ts, the one bottle itself uses), a server certificate
 * for the engine's IP as an IP SAN, and a client certificate
 * (extendedKeyUsage=clientAuth: dockerd's `--tlsverify` refuses a client
 * certificate without it). The client side is laid out as the docker CLI
 * wants it under `DOCKER_CERT_PATH`: `ca.pem`, `cert.pem`, `key.pem`. It
 * starts nothing and trusts nothing system-wide.
 */
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureCa, issueServerCert } from '../../lib/ca/openssl.js';

export interface EngineCerts {
  /** The CA certificate (both sides trust it). */
  ca: string;
  serverCert: string;
  serverKey: string;
  /** DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem. */
  clientDir: string;
  clientCert: string;
  clientKey: string;
}

export async function makeEngineCerts(dir: string, ip: string): Promise<EngineCerts> {
  const ca = await ensureCa(join(dir, 'ca'), 'bottle test engine CA');
  const server = await issueServerCert(ca, join(dir, 'server'), [ip]);
  const clientDir = join(dir, 'client');
  await mkdir(clientDir, { recursive: true });
  const files = { ca: join(clientDir, 'ca.pem'), cert: join(clientDir, 'cert.pem'), key: join(clientDir, 'key.pem') };
  const csr = join(clientDir, 'client.csr');
  const ext = join(clientDir, 'client.ext');
  await writeFile(ext, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n');
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.key, '-out', csr, '-subj', '/CN=bottle-test-client']);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', '2', '-days', '2', '-extfile', ext, '-out', files.cert]);
  await rm(csr);
  await rm(ext);
  await chmod(files.key, 0o600);
  await copyFile(ca.cert, files.ca);
  return { ca: ca.cert, serverCert: server.cert, serverKey: server.key, clientDir, clientCert: files.cert, clientKey: files.key };
}

async function openssl(args: string[]): Promise<void> {
  const r = await execa('openssl', args, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed making a test engine certificate: ${String(r.stderr).trim().split('\n').at(-1)}`);
}
