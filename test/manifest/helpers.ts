/** Shared by the manifest tests: a temp dir per test, files written into it, and the ManifestError a call throws. */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import { ManifestError } from '../../lib/manifest/index.js';

/** A fresh real directory (symlinks resolved), removed when the current test ends. */
export async function tempDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'bottle-manifest-')));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `files` (relative path -> content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** The ManifestError that `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function manifestErrorOf(promise: Promise<unknown>): Promise<ManifestError> {
  const error = await promise.then(
    () => expect.fail('expected a ManifestError, but the call succeeded'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return error as ManifestError;
}

/** The seed's manifest: the smallest valid one. */
export const SEED = { bottles: { dev: {} }, agents: { demo: { skills: [], prompt: '', bottle: 'dev' } } };
