/**
 * A bottle's CA and the server certificates it signs, made with the openssl
 * CLI (EC P-256). The CA is made once per bottle and kept in its state dir
 * (key 0600); the guest trusts it, the bundle's TLS endpoints present certs it
 * signed. It installs nothing anywhere.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError, hash } from '../engine/index.js';
import { run, type RunOptions } from '../process/run.js';
import { ensureDir } from '../state/root.js';

export interface CaFiles {
  cert: string;
  key: string;
}

export function caFiles(dir: string): CaFiles {
  return { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
}

async function openssl(args: string[], options: RunOptions): Promise<void> {
  const result = await run('openssl', args, { ...options, echo: false });
  if (result.exitCode !== 0) {
    const why = result.exitCode === -1 ? 'openssl is not installed (apt-get install openssl)' : result.stderr.trim().split('\n').at(-1);
    throw new TaskError(`openssl ${args[0]} failed: ${why}`, { code: 'OPENSSL_FAILED' });
  }
}

/** The CA in `dir`, made if missing. */
export async function ensureCa(dir: string, name: string, options: RunOptions = {}): Promise<CaFiles> {
  const files = caFiles(dir);
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  await ensureDir(dir);
  await openssl(
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', files.key, '-out', files.cert, '-days', '3650', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    options,
  );
  await chmod(files.key, 0o600);
  return files;
}

/** A server certificate for `hosts` (DNS names or IPv4) signed by the CA, written to `<dir>/server.{crt,key}`. */
export async function issueServerCert(ca: CaFiles, dir: string, hosts: string[], options: RunOptions = {}): Promise<CaFiles> {
  await ensureDir(dir);
  const files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  const work = await mkdtemp(join(dir, '.issue-'));
  try {
    const csr = join(work, 'server.csr');
    const ext = join(work, 'ext.cnf');
    const san = hosts.map((h) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    await writeFile(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
    await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.key, '-out', csr, '-subj', `/CN=${hosts[0]}`], options);
    await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${hash(String(Math.random())).slice(0, 16)}`, '-days', '825', '-extfile', ext, '-out', files.cert], options);
    await chmod(files.key, 0o600);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return files;
}

/** A short hash of the CA certificate: a new CA re-runs whatever installed the old one. */
export async function caDigest(ca: CaFiles): Promise<string> {
  return hash(await readFile(ca.cert, 'utf8'));
}
