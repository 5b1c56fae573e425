/**
 * Guest-side scripts that put host bytes in place without following any link
 * the guest made: the bytes go to a fresh name (mktemp, O_EXCL) in the
 * destination's own directory, written by the file's future owner, and are
 * renamed over the destination, which replaces a symlink there instead of
 * writing through it. Run as that owner, a link higher up the path can only
 * lead where the owner could write anyway; nothing is ever chowned by root.
 * Data travels as arguments and stdin, never inside the script text.
 */

/** stdin (or the file `$3`, when given) to `$1` with mode `$2`. `mv -T`: a directory at `$1` is an error, not a place to move into. */
const INSTALL =
  'set -e; t=$(mktemp "$(dirname "$1")/.bottle-XXXXXX"); trap \'rm -f "$t"\' EXIT; ' +
  'if [ -n "$3" ]; then cat "$3" > "$t"; else cat > "$t"; fi; chmod "$2" "$t"; mv -fT "$t" "$1"';

/** argv that installs a file at `guestPath` with `mode`, from stdin or from `from` (a file the running user can read). */
export function installFileArgv(guestPath: string, mode: number, from = ''): string[] {
  return ['sh', '-c', INSTALL, 'sh', guestPath, mode.toString(8), from];
}

/** argv that unpacks a tar (stdin, or the file `from`) into `guestParent`, files owned by the running user. */
export function unpackArgv(guestParent: string, from = '-'): string[] {
  return ['tar', '-x', '--no-same-owner', '-f', from, '-C', guestParent];
}
