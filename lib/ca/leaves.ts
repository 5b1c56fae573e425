/**
 * The certificates the egress proxy shows the agent for the hosts it
 * inspects: one leaf per host, signed by the bottle's CA (which the agent
 * trusts), `<host>.crt` and `<host>.key` in the bundle's leaf directory
 * (`_wildcard.<domain>` for a `*.<domain>` rule). A leaf is issued once per
 * CA (a marker file names the CA it came from) and kept. It issues with
 * openssl (openssl.ts); it decides nothing about which hosts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOptions } from '../process/run.js';
import { ensureDir } from '../state/root.js';
import { issueServerCert, type CaFiles } from './openssl.js';
// The proxy looks leaves up by the same names.
import { leafName } from '../../daemons/egress/leaf-store.js';


/** Issues what is missing; returns the names of the leaves issued now. */
export async function ensureLeaves(ca: CaFiles, caDigest: string, dir: string, hosts: readonly string[], options: RunOptions = {}): Promise<string[]> {
  await ensureDir(dir);
  const issued: string[] = [];
  for (const host of hosts) {
    const name = leafName(host);
    const marker = join(dir, `${name}.ca-${caDigest}`);
    if (existsSync(marker) && existsSync(join(dir, `${name}.crt`)) && existsSync(join(dir, `${name}.key`))) continue;
    const work = await mkdtemp(join(dir, '.leaf-'));
    try {
      const files = await issueServerCert(ca, work, [host], options);
      await rename(files.key, join(dir, `${name}.key`));
      await rename(files.cert, join(dir, `${name}.crt`));
      await writeFile(marker, '');
      issued.push(name);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return issued;
}
