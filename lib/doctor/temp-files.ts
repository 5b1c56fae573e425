/**
 * What a killed run leaves half-made in the state root: the temp files of
 * atomic writes and of taking a lock, and the scratch directories of issuing
 * certificates and cloning a workspace. Only names those writers make are
 * found, only under items no live run holds, and only once older than
 * `minAgeMs` (a writer that holds no lock, `bottle allow` say, may be
 * writing one right now). Of a gate repository only its top is looked at,
 * for bottle's own rewrite of its config: git keeps its own temp files. It deletes nothing (repair.ts does).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../state/errors.js';
import type { Finding } from './finding.js';
import { itemDirs } from './stale-locks.js';

interface Leftover {
  pattern: RegExp;
  directory: boolean;
  /** Only directly in an item directory. */
  topOnly: boolean;
  /** What left it, for the finding's detail. */
  what: string;
}

/** The names our writers give their temp files and directories (mkdtemp adds 6 characters). */
const LEFTOVERS: readonly Leftover[] = [
  { pattern: /^\..+\.[0-9a-f]+\.tmp$/, directory: false, topOnly: false, what: 'the temp file of an atomic write' }, // lib/state/atomic-write.ts
  { pattern: /^lock\.[0-9a-f]+\.(tmp|stale)$/, directory: false, topOnly: true, what: 'the temp file of taking a lock' }, // lib/state/lock.ts
  { pattern: /^\.leaf-[A-Za-z0-9]{6}$/, directory: true, topOnly: false, what: "the scratch directory of issuing an inspected host's certificate" }, // lib/ca/leaves.ts
  { pattern: /^\.issue-[A-Za-z0-9]{6}$/, directory: true, topOnly: false, what: 'the scratch directory of issuing a certificate' }, // lib/ca/openssl.ts
  { pattern: /^workspace-[A-Za-z0-9]{6}$/, directory: true, topOnly: true, what: "the scratch clone of a new machine's workspace" }, // lib/provision/workspace.ts
];

/**
 * Directories a bottle's state dir holds that are git's: looked into only
 * for bottle's own atomic writes (the gate repository's config, rewritten
 * by bottle: `.config.<12 hex>.tmp`, a name git never makes), and only at
 * the top of each repository.
 */
const GIT_DIRS = new Set(['gate']);
const OUR_WRITE_IN_GIT = /^\..+\.[0-9a-f]{12}\.tmp$/;
/** Deep enough for `<item>/bundle/leaves/.leaf-x/.issue-y`. */
const MAX_DEPTH = 4;

export interface TempFileOptions {
  /** Milliseconds since the epoch, now. */
  now: number;
  /** Younger than this, a leftover may still be being written. */
  minAgeMs: number;
  /** Whether a live run holds the item directory `dir`: its files are left alone. */
  isHeld(dir: string): boolean;
}

export function findTempFiles(root: string, options: TempFileOptions): Finding[] {
  const found: Finding[] = [];
  for (const dir of itemDirs(root)) {
    if (!options.isHeld(dir)) walk(dir, 1, found, options);
  }
  return found;
}

function walk(dir: string, depth: number, found: Finding[], options: TempFileOptions): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    const isDir = entry.isDirectory();
    const leftover = LEFTOVERS.find((l) => l.directory === isDir && (!l.topOnly || depth === 1) && l.pattern.test(entry.name));
    if (leftover) {
      const age = ageOf(path, options.now);
      if (age !== undefined && age >= options.minAgeMs) {
        found.push({
          kind: 'temp-file',
          subject: path,
          detail: `${leftover.what}, untouched for ${Math.round(age / 60_000)} min: the run that made it did not finish`,
          fix: isDir ? 'delete the directory' : 'delete the file',
          repair: { type: 'remove-path', path },
        });
      }
    } else if (isDir && depth === 1 && GIT_DIRS.has(entry.name)) {
      for (const repo of subdirs(path)) walkGitTop(repo, found, options);
    } else if (isDir && depth < MAX_DEPTH && !entry.name.endsWith('.git')) {
      walk(path, depth + 1, found, options);
    }
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.endsWith('.git')).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** The top of a gate repository: bottle's own half-written files only, never git's. */
function walkGitTop(repo: string, found: Finding[], options: TempFileOptions): void {
  let names: string[];
  try {
    names = readdirSync(repo);
  } catch {
    return;
  }
  for (const name of names.filter((n) => OUR_WRITE_IN_GIT.test(n)).sort()) {
    const path = join(repo, name);
    const age = ageOf(path, options.now);
    if (age === undefined || age < options.minAgeMs) continue;
    found.push({
      kind: 'temp-file',
      subject: path,
      detail: `the temp file of bottle's rewrite of a gate repository's config, untouched for ${Math.round(age / 60_000)} min: the run that made it did not finish`,
      fix: 'delete the file',
      repair: { type: 'remove-path', path },
    });
  }
}

function ageOf(path: string, now: number): number | undefined {
  try {
    return now - lstatSync(path).mtimeMs;
  } catch {
    return undefined; // gone meanwhile
  }
}
