/**
 * `bottle cp <agent>:<path> <host path>` and `bottle cp <host path>
 * <agent>:<path>`: one file, directory or link, between the host and an
 * agent's machine, as the agent's user (Backend.copyOut/copyIn). A relative
 * guest path is under the agent's workspace. A copy is placed as `docker cp`
 * places one: into a directory that is there, else under the name given.
 * Links are copied as links, never followed; on the host the archive is
 * unpacked by lib/fs/extract-tree.ts, which refuses entries outside the tree
 * and never writes through a link.
 */
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TaskError } from '../../lib/engine/index.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { copyDirection, copyEnd, guestPathOf, hostPathOf } from '../copy-ends.js';
import { findBottle } from '../find-bottle.js';
import { backendOfRunning } from '../running-machine.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export const CP_HELP = `Usage: bottle cp <agent>:<path> <host path>
       bottle cp <host path> <agent>:<path>

Copy a file, a directory or a link between the host and an agent's machine, as the
agent's user. A relative <path> is under the agent's workspace (~/workspace).
Into a directory that exists, the copy goes inside it; else it takes the name given.
Links are copied as links, never followed. Into the agent, files belong to its user
and keep their modes; out of it, files belong to you and keep their permission bits.
A host path holding ":" is written with a "/" in front of it (./a:b).
`;

export async function cp(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('cp', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout(CP_HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`bottle cp takes a source and a destination, got ${positionals.length} argument(s); see \`bottle cp --help\``);
  const [from, to] = positionals.map(copyEnd) as [ReturnType<typeof copyEnd>, ReturnType<typeof copyEnd>];
  const direction = copyDirection(from, to);
  const guestEnd = (direction === 'out' ? from : to) as Extract<typeof from, { side: 'guest' }>;
  const hostEnd = hostPathOf(cli.cwd, (direction === 'out' ? to : from).path);
  // The host's side is checked before the agent's is looked at: a mistake there costs nothing.
  if (direction === 'in') await requireSource(hostEnd);
  else await requireDestination(hostEnd);
  const bottle = await findBottle(cli, guestEnd.agent, values.file, values['state-dir']);
  const { plan } = bottle;
  const guestPath = guestPathOf(plan.guestWorkspace, guestEnd.path);
  const backend = await backendOfRunning(bottle, cli.signal);
  const where = `${guestEnd.agent}:${guestPath}`;
  const scratch = await mkdtemp(join(tmpdir(), 'bottle-cp-'));
  const options = { user: plan.user, signal: cli.signal };
  try {
    const archive = join(scratch, 'tree.tar');
    if (direction === 'out') {
      const { extractTree, ExtractError } = await import('../../lib/fs/extract-tree.js');
      await guestMistakes(where, () => backend.copyOut(plan.machine, guestPath, archive, options));
      const copied = await extractTree(createReadStream(archive), hostEnd).catch((error: unknown) => {
        // What stands on the host in the copy's way is the user's to move; an archive refused is not.
        if (error instanceof ExtractError && error.code !== 'UNSAFE_ENTRY') throw new UsageError(error.message);
        throw error;
      });
      cli.stdout(`copied ${where} to ${copied.path} (${summary(copied)})\n`);
      if (copied.skipped.length > 0) cli.stderr(`bottle: left out what is not a file, directory or link: ${copied.skipped.join(', ')}\n`);
    } else {
      const { packTree } = await import('../../lib/fs/pack-tree.js');
      const packed = await packTree(hostEnd, basename(hostEnd), archive);
      await guestMistakes(where, () => backend.copyIn(plan.machine, { file: archive, top: basename(hostEnd) }, guestPath, options));
      cli.stdout(`copied ${hostEnd} to ${where} (${summary(packed)})\n`);
      if (packed.skipped.length > 0) cli.stderr(`bottle: left out what is not a file, directory or link: ${packed.skipped.join(', ')}\n`);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return 0;
}

async function requireSource(path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) throw new UsageError(`no such file or directory on the host: ${path}`);
  if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) throw new UsageError(`${path} is not a file, a directory or a link; bottle cp copies only those`);
  if (basename(path) === '') throw new UsageError('bottle cp copies a named file or directory, not the host\'s whole "/"');
}

async function requireDestination(path: string): Promise<void> {
  const { destinationOf, ExtractError } = await import('../../lib/fs/extract-tree.js');
  try {
    await destinationOf(path);
  } catch (error) {
    if (error instanceof ExtractError) throw new UsageError(error.message);
    throw error;
  }
}

/** What the guest said of a path the user named wrongly, as a usage mistake (exit 2). */
async function guestMistakes(where: string, copy: () => Promise<void>): Promise<void> {
  try {
    await copy();
  } catch (error) {
    if (error instanceof TaskError && error.code === 'NO_SUCH_PATH') throw new UsageError(`no such file or directory in the agent's machine: ${where}`);
    if (error instanceof TaskError && error.code === 'COPY_REFUSED') throw new UsageError(`cannot copy to ${where}: ${error.message.replace(/^[^:]*: /, '')}`);
    throw error;
  }
}

function summary(counts: { files: number; dirs: number; links: number; bytes: number }): string {
  const parts = [`${counts.files} file${counts.files === 1 ? '' : 's'}`];
  if (counts.dirs > 0) parts.push(`${counts.dirs} director${counts.dirs === 1 ? 'y' : 'ies'}`);
  if (counts.links > 0) parts.push(`${counts.links} link${counts.links === 1 ? '' : 's'}`);
  return `${parts.join(', ')}, ${counts.bytes} bytes`;
}
