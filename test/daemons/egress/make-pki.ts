/**
 * Certificates for the inspection tests, made by the real `openssl` CLI: a
 * CA, certificates it signs for one DNS name (the leaf the proxy shows the
 * agent, an upstream's own), and a self-signed one no CA vouches for. Each
 * goes where the test says (a leaf in the proxy's leaf dir) or in a fresh
 * temp dir, removed when the test ends. It does not start servers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../../state/temp-dir.js';

export interface KeyPair {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

const OPENSSL = '/usr/bin/openssl';
const NEW_KEY = ['-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '1'];

async function pairAt(certPath: string, keyPath: string): Promise<KeyPair> {
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}

/** A CA certificate and key (`CN=<name>`); its `cert` is what a client passes as `ca`. */
export async function makeCa(name: string): Promise<KeyPair> {
  const dir = await tempDir();
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  await execa(OPENSSL, ['req', '-x509', ...NEW_KEY, '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${name}`]);
  return pairAt(certPath, keyPath);
}

export interface IssueOptions {
  /** Where `<base>.crt` and `<base>.key` go; a fresh temp dir when left out. */
  readonly dir?: string;
  /** The files' base name; `name` when left out. */
  readonly base?: string;
}

/** A server certificate for the DNS name `name`, signed by `ca`. */
export async function issueCert(ca: KeyPair, name: string, options: IssueOptions = {}): Promise<KeyPair> {
  const dir = options.dir ?? (await tempDir());
  const base = options.base ?? name;
  const certPath = join(dir, `${base}.crt`);
  const keyPath = join(dir, `${base}.key`);
  await execa(OPENSSL, [
    'req', '-x509', '-CA', ca.certPath, '-CAkey', ca.keyPath, ...NEW_KEY,
    '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${name}`,
    '-addext', `subjectAltName=DNS:${name}`, '-addext', 'basicConstraints=critical,CA:FALSE',
  ]);
  return pairAt(certPath, keyPath);
}

/** A certificate for `name` signed by its own key: trusted by nobody. */
export async function selfSignedCert(name: string): Promise<KeyPair> {
  const dir = await tempDir();
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await execa(OPENSSL, ['req', '-x509', ...NEW_KEY, '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`]);
  return pairAt(certPath, keyPath);
}
