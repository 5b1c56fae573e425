/**
 * The guest side of `bottle cp`, the same for every backend: fixed scripts,
 * data passed as arguments (never inside the script text). What is copied is
 * packed and unpacked by the agent's user with GNU tar, so a copy reads and
 * writes only what that user could anyway, and a link in the tree is
 * archived as a link, never followed. The archive itself waits in a fresh
 * directory of root's (`mkdir` fails on anything already at the name), where
 * the user can neither rename nor replace it: the backend moves it across
 * (Docker's archive endpoints, smolvm's `machine cp`) and removes the
 * directory. Unpacking places the tree as `docker cp` does: into the
 * destination when it is a directory, else as it (through a temp dir next to
 * it and a rename). It does not move bytes between host and guest.
 */

/** Exit code of the scripts for a path the user named wrongly (their stderr says which). */
export const USER_MISTAKE_EXIT = 3;

/** Where a copy's archive waits in the guest: a name no guest process can have guessed. */
export function stagingDir(random: string): string {
  return `/tmp/.bot-bottle-cp-${random}`;
}

const STAGE = 'set -e; umask 077; mkdir -m 711 -- "$1"';

/** root: the fresh staging directory (fails when anything is at the name). */
export function stageArgv(dir: string): string[] {
  return ['sh', '-c', STAGE, 'sh', dir];
}

const STAGE_OUT = 'set -e; umask 077; mkdir -m 711 -- "$1"; : > "$1/$2"; case $3 in *:*) o=$3;; *) o="$3:";; esac; chown -- "$o" "$1/$2"';

/** root: the staging directory, and in it the empty file `name` owned by `user` (and its group), for the user to pack into. */
export function stageOutArgv(dir: string, name: string, user: string): string[] {
  return ['sh', '-c', STAGE_OUT, 'sh', dir, name, user];
}

/** root: the staging directory gone. */
export function unstageArgv(dir: string): string[] {
  return ['rm', '-rf', '--', dir];
}

const PACK = [
  'p=$1; o=$2',
  `if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "no such file or directory: $p" >&2; exit ${USER_MISTAKE_EXIT}; fi`,
  // Hard links as files: the host makes files, directories and links only.
  'exec tar -c --hard-dereference -f "$o" -C "$(dirname -- "$p")" -- "$(basename -- "$p")"',
].join('\n');

/** user: the tree at `path` (a link as a link) packed into the existing file `archive`, under its last name. */
export function packArgv(path: string, archive: string): string[] {
  return ['sh', '-c', PACK, 'sh', path, archive];
}

const UNPACK_INTO = [
  'set -e; d=$1; a=$2; n=$3',
  'if [ -d "$d" ]; then exec tar -x -p --no-same-owner -f "$a" -C "$d"; fi',
  `case $d in */) echo "no such directory: $d" >&2; exit ${USER_MISTAKE_EXIT};; esac`,
  'p=$(dirname -- "$d")',
  `if [ ! -d "$p" ]; then echo "no such directory: $p" >&2; exit ${USER_MISTAKE_EXIT}; fi`,
  's=$(mktemp -d -- "$p/.bottle-cp-XXXXXX")',
  'trap \'rm -rf -- "$s"\' EXIT',
  'tar -x -p --no-same-owner -f "$a" -C "$s"',
  `if { [ -e "$d" ] || [ -L "$d" ]; } && [ -d "$s/$n" ] && [ ! -L "$s/$n" ]; then echo "$d is not a directory: a directory cannot replace it" >&2; exit ${USER_MISTAKE_EXIT}; fi`,
  'mv -f -T -- "$s/$n" "$d"',
].join('\n');

/** user: the archive, whose one top-level entry is `top`, placed at `dest` as `docker cp` would. */
export function unpackIntoArgv(dest: string, archive: string, top: string): string[] {
  return ['sh', '-c', UNPACK_INTO, 'sh', dest, archive, top];
}
