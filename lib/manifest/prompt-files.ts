/**
 * Reads the `promptFile` of each agent, so the normalised manifest holds the
 * prompt text itself. A prompt file must resolve inside the project
 * (confine.ts) and be a regular file of at most 1 MiB: it is opened without
 * blocking (a FIFO would wait for a writer forever) and read no further than
 * that (a device such as /dev/zero never ends). Every file refused or not read
 * is reported, each under its field path, with the value given and the
 * absolute path looked at.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { confine, type Confinement } from './confine.js';
import { quote } from './describe.js';
import type { ManifestIssue } from './issues.js';
import { formatPath } from './issues.js';

export const MAX_PROMPT_BYTES = 1024 * 1024;

export interface PromptFile {
  /** Absolute path of the file, as the manifest names it. */
  path: string;
  text: string;
}

export interface PromptFiles {
  /** By agent name. */
  files: Map<string, PromptFile>;
  issues: ManifestIssue[];
}

/** A prompt file that exists but is not one we read; its message is the whole problem. */
class Refused extends Error {}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'of another kind';
}

function tooBig(given: string, path: string, bytes: string): Refused {
  return new Refused(`${quote(given)} (${path}) has ${bytes} bytes, more than a prompt may have (1 MiB); shorten it`);
}

function checkFile(stats: Stats, given: string, path: string): void {
  if (!stats.isFile()) throw new Refused(`${quote(given)} is ${kindOf(stats)} (${path}), not a regular file; point promptFile at a file`);
  if (stats.size > MAX_PROMPT_BYTES) throw tooBig(given, path, String(stats.size));
}

/** The text of the regular file at `real` (the real path of `path`), at most MAX_PROMPT_BYTES of it. */
async function readPrompt(given: string, path: string, real: string): Promise<string> {
  // Checked before opening too: opening a device can have effects of its own.
  checkFile(await stat(real), given, path);
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    // What was opened is what counts, whatever changed since the stat.
    checkFile(await handle.stat(), given, path);
    const buffer = Buffer.alloc(MAX_PROMPT_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    if (length > MAX_PROMPT_BYTES) throw tooBig(given, path, `${length} or more`); // it grew since the fstat
    return buffer.toString('utf8', 0, length).replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
}

function readProblem(given: string, path: string, error: unknown): string {
  if (error instanceof Refused) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `file not found: ${quote(given)} (looked at ${path}); create it or fix the path`;
  return `cannot read ${quote(given)} (${path}): ${(error as Error).message}`;
}

/** Reads every agent's prompt file, concurrently; `dir` is the manifest's directory. */
export async function readPromptFiles(
  agents: Readonly<Record<string, { promptFile?: string | undefined }>>,
  dir: string,
  confinement: Confinement,
): Promise<PromptFiles> {
  const files = new Map<string, PromptFile>();
  // Promise.all keeps the manifest's order, so issues are reported in it.
  const problems = await Promise.all(
    Object.entries(agents).map(async ([name, agent]): Promise<ManifestIssue | undefined> => {
      const given = agent.promptFile;
      if (given === undefined) return undefined;
      const issue = (message: string) => ({ path: formatPath(['agents', name, 'promptFile']), message });
      const path = resolve(dir, given);
      const confined = await confine(path, `${quote(given)} (${path})`, 'file', confinement);
      if (!confined.ok) return issue(confined.problem);
      try {
        files.set(name, { path, text: await readPrompt(given, path, confined.real) });
        return undefined;
      } catch (error) {
        return issue(readProblem(given, path, error));
      }
    }),
  );
  return { files, issues: problems.filter((issue) => issue !== undefined) };
}
