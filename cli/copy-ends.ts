/**
 * The two ends of `bottle cp`, read from its arguments: `<agent>:<path>` is
 * the agent's side, anything else the host's. A host path that holds a ':'
 * is written with a '/' before it (`./a:b`), as with `docker cp`. The guest
 * path is made absolute against the agent's workspace. It reads no file.
 */
import { posix, resolve } from 'node:path';
import { nameProblem } from '../lib/manifest/names.js';
import { UsageError } from './usage-error.js';

export type CopyEnd = { side: 'host'; path: string } | { side: 'guest'; agent: string; path: string };

export function copyEnd(arg: string): CopyEnd {
  if (arg === '') throw new UsageError('bottle cp got an empty path; name a host path or <agent>:<path>');
  const colon = arg.indexOf(':');
  const agent = arg.slice(0, colon);
  // Before any '/', a ':' ends the agent's name; after one, it is part of a host path.
  if (colon === -1 || agent.includes('/')) return { side: 'host', path: arg };
  const problem = nameProblem(agent);
  if (problem) {
    throw new UsageError(`"${arg}" is not <agent>:<path>: "${agent}" is no agent name (${problem}); a host path holding ":" is written ./${arg}`);
  }
  const path = arg.slice(colon + 1);
  if (path === '') throw new UsageError(`"${arg}" names no path after "${agent}:"; write ${agent}:. for the agent's workspace`);
  return { side: 'guest', agent, path };
}

/** Which end is the agent's: exactly one must be. */
export function copyDirection(from: CopyEnd, to: CopyEnd): 'out' | 'in' {
  if (from.side === 'guest' && to.side === 'guest') throw new UsageError('bottle cp copies between the host and one agent: name a host path on one side');
  if (from.side === 'host' && to.side === 'host') throw new UsageError(`bottle cp needs the agent's side as <agent>:<path>, e.g. \`bottle cp demo:notes.md .\` or \`bottle cp ./notes.md demo:.\``);
  return from.side === 'guest' ? 'out' : 'in';
}

/** A guest path, absolute: a relative one is under the agent's workspace. The guest's `/` itself is refused (a copy is one tree with a name). */
export function guestPathOf(workspace: string, path: string): string {
  const absolute = posix.isAbsolute(path) ? posix.normalize(path) : posix.join(workspace, path);
  if (absolute.replace(/\/+$/, '') === '') throw new UsageError('bottle cp copies a named file or directory, not the guest\'s whole "/"');
  return absolute;
}

/** A host path against the command's working directory; a trailing '/' kept (it says: a directory). */
export function hostPathOf(cwd: string, path: string): string {
  const absolute = resolve(cwd, path);
  return path.endsWith('/') && absolute !== '/' ? `${absolute}/` : absolute;
}
