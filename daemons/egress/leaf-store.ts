/**
 * The leaf certificates the proxy shows the agent for inspected hosts, issued
 * by bottle on the host (signed by the bottle's CA, which the agent trusts)
 * and placed in `inspect.leafDir` as `<host>.crt` and `<host>.key`; a
 * `*.domain` rule's leaf is `_wildcard.<domain>.crt` and `.key`. A leaf is
 * loaded when a tunnel first needs it and kept, with the stat of both files;
 * it is loaded again when either file changes. A host's own leaf is preferred
 * to the wildcard one. A missing or unusable leaf is a reason, not a throw,
 * naming the files. It does not issue certificates or decide which hosts are
 * inspected.
 */
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';

export type LeafLookup = { readonly ok: true; readonly context: SecureContext } | { readonly ok: false; readonly reason: string };

export interface LeafStore {
  /** The leaf for `host`, whose matching inspect rules name `patterns` (`api.example.com`, `*.example.com`). */
  leafFor(host: string, patterns: readonly string[]): Promise<LeafLookup>;
}

/** `api.example.com` → `api.example.com`, `*.example.com` → `_wildcard.example.com`: the files' base name. */
export function leafName(pattern: string): string {
  return pattern.startsWith('*.') ? `_wildcard.${pattern.slice(2)}` : pattern;
}

export function createLeafStore(dir: string): LeafStore {
  const cache = new Map<string, { readonly signature: string; readonly context: SecureContext }>();

  const load = async (name: string): Promise<LeafLookup | undefined> => {
    const paths = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    const [certStat, keyStat] = await Promise.all([stat(paths.cert).catch(() => undefined), stat(paths.key).catch(() => undefined)]);
    if (!certStat && !keyStat) return undefined;
    if (!certStat || !keyStat) return { ok: false, reason: `the leaf ${name} in ${dir} has only its ${certStat ? '.crt' : '.key'} file; bottle writes both` };
    const signature = `${signatureOf(certStat)} ${signatureOf(keyStat)}`;
    const cached = cache.get(name);
    if (cached?.signature === signature) return { ok: true, context: cached.context };
    try {
      const [cert, key] = await Promise.all([readFile(paths.cert), readFile(paths.key)]);
      const context = createSecureContext({ cert, key });
      cache.set(name, { signature, context });
      return { ok: true, context };
    } catch (error) {
      return { ok: false, reason: `the leaf ${name}.crt/.key in ${dir} cannot be used: ${oneLine((error as Error).message)}` };
    }
  };

  return {
    async leafFor(host, patterns) {
      const names = [...new Set([host, ...patterns.filter((pattern) => pattern.startsWith('*.'))].map(leafName))];
      for (const name of names) {
        const found = await load(name);
        if (found) return found;
      }
      return { ok: false, reason: `no leaf certificate for ${host} in ${dir} (looked for ${names.map((name) => `${name}.crt`).join(', ')}); bottle issues one per inspected host` };
    },
  };
}

function signatureOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
