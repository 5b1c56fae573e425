/**
 * Which file is the manifest: the one given with `-f` (relative to cwd), else
 * the first of bottle.yaml, bottle.yml, bottle.json in cwd. It does not read
 * the file.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { quote } from './describe.js';
import { ManifestError } from './errors.js';

export const MANIFEST_FILE_NAMES = ['bottle.yaml', 'bottle.yml', 'bottle.json'] as const;

export interface LocateOptions {
  /** The file given by the user (`-f`), absolute or relative to `cwd`. */
  file?: string;
  /** An absolute directory. */
  cwd: string;
}

async function kindOf(path: string): Promise<'file' | 'directory' | 'missing' | 'other'> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return 'missing';
    }
    throw new ManifestError({
      code: 'UNREADABLE',
      file: path,
      message: `cannot read the manifest ${path}: ${(error as Error).message}`,
      cause: error,
    });
  }
}

/** The absolute path of the manifest file. */
export async function locateManifest({ file, cwd }: LocateOptions): Promise<string> {
  if (!isAbsolute(cwd)) throw new TypeError(`locateManifest: expected cwd to be an absolute path, got ${JSON.stringify(cwd)}`);
  if (file !== undefined) {
    const path = resolve(cwd, file);
    const given = path === file ? '' : ` (given as ${quote(file)})`;
    const kind = await kindOf(path);
    if (kind === 'file') return path;
    const message =
      kind === 'missing'
        ? `no manifest at ${path}${given}; check the path passed to -f`
        : kind === 'directory'
          ? `${path}${given} is a directory, not a manifest file; pass the file, e.g. -f ${join(file, MANIFEST_FILE_NAMES[0])}`
          : `${path}${given} is not a regular file; pass a manifest file to -f`;
    throw new ManifestError({ code: 'NOT_FOUND', file: path, message });
  }
  for (const name of MANIFEST_FILE_NAMES) {
    const path = join(cwd, name);
    if ((await kindOf(path)) === 'file') return path;
  }
  throw new ManifestError({
    code: 'NOT_FOUND',
    file: cwd,
    message: `no manifest in ${cwd}: looked for ${MANIFEST_FILE_NAMES.join(', ')}; pass -f FILE`,
  });
}
