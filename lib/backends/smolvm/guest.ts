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

const MARK = '# bot-bottle';
const HOSTS =
  'f=/etc/hosts; { grep -v "$0\\$" "$f" 2>/dev/null; for h; do printf "%s %s\\n" "$h" "$0"; done; } > "$f.bot-bottle" && cat "$f.bot-bottle" > "$f" && rm -f "$f.bot-bottle"';

/**
 * Replaces this machine's own lines in /etc/hosts (marked `# bot-bottle`)
 * with `127.0.0.1 <alias> # bot-bottle` lines: Docker's network aliases,
 * which smolvm has no DNS for. `cat >` keeps the file's inode, in case the
 * image bind-mounts it.
 */
export function hostsArgv(aliases: readonly string[]): string[] {
  return ['sh', '-c', HOSTS, MARK, ...aliases.map((a) => `127.0.0.1 ${a}`)];
}
