/**
 * Where bottle's own files are: the package root (images/, dist/daemons) and
 * the cache directory (debootstrap rootfs, Claude Code from npm). Found from
 * this module's location, so it works from source (tsx, vitest) and from dist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'bot-bottle') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the bot-bottle package root above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The package's version, from its package.json (what `bottle --version` says). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** `BOTTLE_CACHE_DIR`, else `$XDG_CACHE_HOME/bottle`, else `~/.cache/bottle`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOTTLE_CACHE_DIR) return resolve(env.BOTTLE_CACHE_DIR);
  if (env.XDG_CACHE_HOME?.startsWith('/')) return join(env.XDG_CACHE_HOME, 'bottle');
  return join(homedir(), '.cache', 'bottle');
}
