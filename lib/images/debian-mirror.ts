/**
 * The Debian mirror debootstrap fetches from: `BOTTLE_DEBIAN_MIRROR`, else the
 * first `deb` source apt on this machine uses (deb822 `.sources` files or
 * one-line `sources.list`). It never guesses a host of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function debianMirror(env: NodeJS.ProcessEnv = process.env, aptDir = '/etc/apt'): string | undefined {
  if (env.BOTTLE_DEBIAN_MIRROR) return env.BOTTLE_DEBIAN_MIRROR;
  const files: string[] = [];
  try {
    files.push(...readdirSync(join(aptDir, 'sources.list.d')).filter((f) => f.endsWith('.sources')).map((f) => join(aptDir, 'sources.list.d', f)));
  } catch {
    // no sources.list.d
  }
  files.push(join(aptDir, 'sources.list'));
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const mirror = file.endsWith('.sources') ? fromDeb822(text) : fromOneLine(text);
    if (mirror) return mirror;
  }
  return undefined;
}

function fromDeb822(text: string): string | undefined {
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => stanza.match(new RegExp(`^${name}:\\s*(.+)$`, 'mi'))?.[1]?.trim();
    const types = field('Types') ?? '';
    const suites = field('Suites') ?? '';
    if (/\bdeb\b/.test(types) && /\bbookworm\b/.test(suites) && !/security/.test(suites)) return field('URIs')?.split(/\s+/)[0];
  }
  return undefined;
}

function fromOneLine(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/);
    if (m) return m[1];
  }
  return undefined;
}
