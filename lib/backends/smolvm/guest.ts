/**
 * Guest-side argv the smolvm backend runs, as fixed scripts with data passed
 * as arguments (never a shell string built from input). smolvm's exec has no
 * user flag and runs as the image's user [src/cli/machine.rs ExecCmd], which
 * is root in the images we hand it (image-archive.ts), so another user is
 * reached with util-linux `setpriv` and that user's primary group.
 */

const ROOT = new Set(['root', '0', '0:0']);

export function isRoot(user: string | undefined): boolean {
  return user === undefined || ROOT.has(user);
}

const AS_USER = 'u=$1; shift; exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"';

/** argv run as `user` (unchanged for root or no user). */
export function asUser(user: string | undefined, argv: readonly string[]): string[] {
  return isRoot(user) ? [...argv] : ['sh', '-c', AS_USER, 'sh', user!, ...argv];
}

/** The command a wrapped argv runs (for logs and tests). */
export function unwrapUser(argv: readonly string[]): { user: string | null; argv: string[] } {
  return argv[0] === 'sh' && argv[2] === AS_USER ? { user: argv[4]!, argv: argv.slice(5) } : { user: null, argv: [...argv] };
}

/** `id USER` prints `uid=1000(node) gid=1000(node) groups=...`. */
export function parseId(stdout: string): { uid: number; gid: number } | null {
  const m = /uid=(\d+)(?:\([^)]*\))? gid=(\d+)/.exec(stdout);
  return m ? { uid: Number(m[1]), gid: Number(m[2]) } : null;
}
