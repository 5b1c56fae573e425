/**
 * The bench's certificates, made by the `openssl` CLI (3.0 or later) in a
 * directory the caller owns: the upstream's CA and its certificate for both
 * bench names (the proxy checks `api.test`, a blind tunnel's client
 * `tunnel.test`), and the bottle's CA with the leaf the proxy shows for
 * `api.test`, written in the leaf dir as `api.test.crt` and `.key`, where the
 * leaf store looks. It does not start anything or remove the files.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface KeyPair {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface BenchPki {
  /** What the agent trusts on an inspected tunnel: it signed the leaf. */
  readonly agentCa: KeyPair;
  /** `<leafDir>/api.test.crt` and `.key`. */
  readonly leafDir: string;
  /** What the proxy trusts for upstreams, and what the agent trusts directly and through a blind tunnel. */
  readonly upstreamCa: KeyPair;
  readonly upstreamCert: KeyPair;
}

const NEW_KEY = ['-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '1'];

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execa('openssl', args);
  } catch (error) {
    throw new Error(`bench/egress makes its certificates with the openssl CLI (3.0 or later) on PATH; \`openssl ${args[0]}\` failed: ${(error as Error).message}`, { cause: error });
  }
}

async function pairAt(certPath: string, keyPath: string): Promise<KeyPair> {
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}

async function makeCa(dir: string, name: string): Promise<KeyPair> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await openssl(['req', '-x509', ...NEW_KEY, '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${name}`]);
  return pairAt(certPath, keyPath);
}

/** A server certificate for the DNS names `names` (the first is its file name), signed by `ca`. */
async function issue(ca: KeyPair, dir: string, names: readonly [string, ...string[]]): Promise<KeyPair> {
  const certPath = join(dir, `${names[0]}.crt`);
  const keyPath = join(dir, `${names[0]}.key`);
  await openssl([
    'req', '-x509', '-CA', ca.certPath, '-CAkey', ca.keyPath, ...NEW_KEY,
    '-keyout', keyPath, '-out', certPath, '-subj', `/CN=${names[0]}`,
    '-addext', `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`, '-addext', 'basicConstraints=critical,CA:FALSE',
  ]);
  return pairAt(certPath, keyPath);
}

export async function makeBenchPki(dir: string, inspected: string, tunnelled: string): Promise<BenchPki> {
  const leafDir = join(dir, 'leaves');
  const upstreamDir = join(dir, 'upstream');
  await Promise.all([mkdir(leafDir), mkdir(upstreamDir)]);
  const [agentCa, upstreamCa] = await Promise.all([makeCa(dir, 'bench-bottle-ca'), makeCa(dir, 'bench-upstream-ca')]);
  const [, upstreamCert] = await Promise.all([issue(agentCa, leafDir, [inspected]), issue(upstreamCa, upstreamDir, [inspected, tunnelled])]);
  return { agentCa, leafDir, upstreamCa, upstreamCert };
}
