/**
 * The state root a command uses (lib/state/root.ts picks it from --state-dir,
 * BOTTLE_STATE_DIR or the XDG default), refused as a usage error when it
 * cannot be a directory: it, or the nearest part of it that exists, is a
 * file, or the path cannot be used at all (a NUL, too long). It creates
 * nothing; commands that write state create it later.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { resolveStateRoot } from '../lib/state/root.js';
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

type Nearest = { at: string; directory: boolean } | { code: string };

/** The nearest part of `path` that exists, itself first, and whether it is a directory; or why it cannot be looked at. */
function nearestExisting(path: string): Nearest {
  for (let at = path; ; at = dirname(at)) {
    try {
      return { at, directory: statSync(at).isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      // Missing, or below a file: the part above tells.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(at) === at) return { code };
    }
  }
}

export function stateRootOf(flag: string | undefined, cli: Pick<CliContext, 'env' | 'cwd'>): string {
  const root = resolveStateRoot({ flag, env: cli.env, homedir: homedir(), cwd: cli.cwd });
  const source = flag ? '--state-dir' : cli.env.BOTTLE_STATE_DIR ? 'BOTTLE_STATE_DIR' : 'the state directory';
  if (root.includes('\0')) throw new UsageError(`${source} ${JSON.stringify(root)} has a NUL character; pass a directory`);
  const nearest = nearestExisting(root);
  if ('code' in nearest) throw new UsageError(`${source} ${root} cannot be used (${nearest.code}); pass another directory`);
  if (nearest.directory) return root;
  const what = nearest.at === root ? 'is not a directory' : `cannot be created: ${nearest.at} is not a directory`;
  throw new UsageError(`${source} ${root} ${what}; pass a directory, or a path where one can be created`);
}
