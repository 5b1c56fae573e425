/**
 * `loadManifest`: find the manifest file, read it, parse it and normalise it.
 * Every failure is a ManifestError; nothing is printed.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ManifestError } from './errors.js';
import { locateManifest, type LocateOptions } from './locate.js';
import { parseManifest } from './parse.js';
import { parseManifestText } from './parse-text.js';
import type { LoadedManifest } from './types.js';

export type LoadOptions = LocateOptions;

export async function loadManifest(options: LoadOptions): Promise<LoadedManifest> {
  const path = await locateManifest(options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ManifestError({
      code: 'UNREADABLE',
      file: path,
      message: `cannot read the manifest ${path}: ${(error as Error).message}`,
      cause: error,
    });
  }
  const dir = dirname(path);
  const manifest = await parseManifest(parseManifestText(text, path), { path, dir });
  return { path, dir, manifest };
}
