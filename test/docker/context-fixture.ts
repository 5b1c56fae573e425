/**
 * A docker CLI config directory holding contexts as `docker context create`
 * leaves them (contexts/meta/<sha256 of the name>/meta.json, and the TLS
 * files under contexts/tls/<id>/docker/), for tests of how an endpoint is
 * read from a context. Removed when the test ends.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../state/temp-dir.js';

export interface ContextSpec {
  name: string;
  /** The Docker endpoint's Host; none: a context without a Docker endpoint. */
  host?: string;
  tls?: { ca: string; cert: string; key: string };
}

export async function dockerConfigWith(contexts: ContextSpec[], current?: string): Promise<string> {
  const dir = await tempDir();
  for (const context of contexts) {
    const id = createHash('sha256').update(context.name).digest('hex');
    await mkdir(join(dir, 'contexts', 'meta', id), { recursive: true });
    const endpoints = context.host ? { docker: { Host: context.host, SkipTLSVerify: false } } : {};
    await writeFile(join(dir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: context.name, Metadata: {}, Endpoints: endpoints }));
    if (context.tls) {
      const tls = join(dir, 'contexts', 'tls', id, 'docker');
      await mkdir(tls, { recursive: true });
      for (const [part, text] of Object.entries(context.tls)) await writeFile(join(tls, `${part}.pem`), text);
    }
  }
  if (current) await writeFile(join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  return dir;
}
