/**
 * Reads the `promptFile` of each agent, so the normalised manifest holds the
 * prompt text itself. Every file that cannot be read is reported, each under
 * its field path, with the value given and the absolute path looked at.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { quote } from './describe.js';
import type { ManifestIssue } from './issues.js';
import { formatPath } from './issues.js';

export interface PromptFile {
  /** Absolute path of the file. */
  path: string;
  text: string;
}

export interface PromptFiles {
  /** By agent name. */
  files: Map<string, PromptFile>;
  issues: ManifestIssue[];
}

function readProblem(given: string, path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `file not found: ${quote(given)} (looked at ${path}); create it or fix the path`;
  if (code === 'EISDIR') return `${quote(given)} is a directory (${path}); point promptFile at a file`;
  return `cannot read ${quote(given)} (${path}): ${(error as Error).message}`;
}

/** Reads every agent's prompt file, concurrently; `dir` is the manifest's directory. */
export async function readPromptFiles(
  agents: Readonly<Record<string, { promptFile?: string | undefined }>>,
  dir: string,
): Promise<PromptFiles> {
  const files = new Map<string, PromptFile>();
  // Promise.all keeps the manifest's order, so issues are reported in it.
  const problems = await Promise.all(
    Object.entries(agents).map(async ([name, agent]): Promise<ManifestIssue | undefined> => {
      if (agent.promptFile === undefined) return undefined;
      const path = resolve(dir, agent.promptFile);
      try {
        const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
        files.set(name, { path, text });
        return undefined;
      } catch (error) {
        return {
          path: formatPath(['agents', name, 'promptFile']),
          message: readProblem(agent.promptFile, path, error),
        };
      }
    }),
  );
  return { files, issues: problems.filter((issue) => issue !== undefined) };
}
