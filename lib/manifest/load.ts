/**
 * `loadManifest`: find the manifest file, read it, parse it and normalise it.
 * Every failure is a ManifestError; nothing is printed.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ManifestError } from './errors.js';
import { locateManifest, type LocateOptions } from './locate.js';
import { parseManifest, type ParseOptions } from './parse.js';
import { parseManifestText } from './parse-text.js';
import type { LoadedManifest } from './types.js';

/** `allowOutside` may be relative: to `cwd`, as given on the command line. */
export type LoadOptions = LocateOptions & ParseOptions;

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
  const manifest = await parseManifest(parseManifestText(text, path), { path, dir }, {
    ...(options.home !== undefined && { home: options.home }),
    allowOutside: (options.allowOutside ?? []).map((allowed) => resolve(options.cwd, allowed)),
  });
  return { path, dir, manifest };
}
