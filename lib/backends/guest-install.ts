/**
 * Guest-side scripts for backends that unpack archives themselves (smolvm):
 * as the files' owner, empty the directories marked fresh, then unpack (GNU
 * tar replaces a symlink where the archive has a directory or file). Run as
 * that owner, a link can only lead where the owner could write anyway. A
 * read takes a regular file only (not a link), up to a cap. Data travels as
 * arguments, never inside the script text.
 */

const UNPACK = 'set -e; d=$1; a=$2; shift 2; for p; do rm -rf -- "$d/$p"; done; tar -x --no-same-owner -f "$a" -C "$d"';

/** argv that unpacks the archive `archive` into `dir`, emptying each of `fresh` (relative to `dir`) first. */
export function unpackArgv(dir: string, archive: string, fresh: readonly string[] = []): string[] {
  return ['sh', '-c', UNPACK, 'sh', dir, archive, ...fresh];
}

const READ = '[ -f "$1" ] && [ ! -L "$1" ] && head -c "$2" -- "$1"';

/** argv that prints at most `bytes` bytes of the regular file `path`, and fails for anything else. */
export function readArgv(path: string, bytes: number): string[] {
  return ['sh', '-c', READ, 'sh', path, String(bytes)];
}
