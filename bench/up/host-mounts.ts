/**
 * The host paths bottle's containers mount (a bundle's config and log dirs,
 * under the bottle's state dir) vanish with `bottle down --purge`, yet the
 * compose copy mounts the same paths. So they are copied aside (owner, mode
 * and contents, `cp -a`) while bottle's containers run, and put back where
 * they were once bottle is down, before compose is timed. A path that is
 * still there after the down (not bottle's state) is left alone.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readback } from './inspect.js';
import { mustRun } from './timing.js';

export interface SavedPath {
  source: string;
  copy: string;
}

export function bindSources(back: Readback): string[] {
  return [...new Set(back.containers.flatMap((c) => c.Mounts.filter((m) => m.Type === 'bind').map((m) => m.Source)))].sort();
}

export async function saveAside(sources: readonly string[], dir: string): Promise<SavedPath[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const saved: SavedPath[] = [];
  for (const [i, source] of sources.entries()) {
    if (!existsSync(source)) throw new Error(`a container of bottle's mounts ${source}, which does not exist on this host`);
    const copy = join(dir, String(i));
    await mustRun('cp', ['-a', '--', source, copy]);
    saved.push({ source, copy });
  }
  return saved;
}

/** Puts back the paths that are gone; returns them. */
export async function putBack(saved: readonly SavedPath[]): Promise<string[]> {
  const restored: string[] = [];
  for (const { source, copy } of saved) {
    if (existsSync(source)) continue;
    await mkdir(dirname(source), { recursive: true, mode: 0o700 });
    await mustRun('cp', ['-a', '--', copy, source]);
    restored.push(source);
  }
  return restored;
}
