/**
 * Where state lives: picks the state root from the flag and the environment,
 * names the per-item directory, and creates directories private to the user.
 * It does not read or write records, logs or locks.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { StateError } from './errors.js';

export interface StateRootSources {
  /** The `--state-dir` flag, if given. */
  flag?: string;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** What relative paths are resolved against; the process's cwd by default. */
  cwd?: string;
}

/**
 * `--state-dir`, else `BOTTLE_STATE_DIR`, else `$XDG_STATE_HOME/bottle`, else
 * `<homedir>/.local/state/bottle`, as an absolute path. Empty values count as
 * unset; a relative `XDG_STATE_HOME` is ignored, as the XDG spec asks.
 */
export function resolveStateRoot({ flag, env, homedir, cwd = process.cwd() }: StateRootSources): string {
  const xdg = env.XDG_STATE_HOME;
  const chosen =
    nonEmpty(flag) ??
    nonEmpty(env.BOTTLE_STATE_DIR) ??
    (xdg && isAbsolute(xdg) ? join(xdg, 'bottle') : join(homedir, '.local', 'state', 'bottle'));
  return resolve(cwd, chosen);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Creates `path` (and its parents) with mode 0700; an existing directory keeps its mode. */
export async function ensureDir(path: string): Promise<void> {
  const created = await mkdir(path, { recursive: true, mode: 0o700 });
  // mkdir's mode passes through the umask; the state must be private whatever it is.
  if (created !== undefined) await chmod(path, 0o700);
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Checks that `value` can be used as one path segment (no `/`, not `.` or `..`,
 * no leading `-` or `.`), so that no key can reach outside the state root.
 */
export function assertSegment(kind: string, value: string): string {
  if (!SEGMENT.test(value)) {
    throw new StateError(
      'BAD_KEY',
      `The ${kind} ${JSON.stringify(value)} cannot name a state directory or file: ` +
        'expected letters, digits, "_", "." or "-", starting with a letter, digit or "_"; rename it.',
    );
  }
  return value;
}

/** `<root>/<item>`, after checking the item key is a single safe segment. */
export function itemDir(root: string, item: string): string {
  return join(root, assertSegment('item key', item));
}
