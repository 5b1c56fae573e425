/** A fresh real directory under the OS temp dir, removed when the current test ends. */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bottle-state-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The permission bits of a file, e.g. 0o600. */
export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}
