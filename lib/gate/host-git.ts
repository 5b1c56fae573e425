/**
 * bottle's own git commands on the host, on a gate repository (which a daemon
 * in a sandbox writes to) and the user's repository. They run with an
 * environment of their own: no system or user git config, no GIT_* variable
 * of the caller's, no prompt, and a config file of bottle's that trusts
 * exactly the repositories named (`safe.directory`: when bottle runs as root,
 * the gate repository belongs to the bundle's user). It decides nothing about
 * what is fetched or pushed (seed.ts, fetch-back.ts do).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TaskError } from '../engine/index.js';
import { run, type RunResult } from '../process/run.js';

export interface HostGit {
  /** Runs git; a non-zero exit is a TaskError naming the command and git's last words. */
  (args: readonly string[], options?: { cwd?: string; input?: string; signal?: AbortSignal; log?: (line: string) => void }): Promise<RunResult>;
  /** The same, but a non-zero exit is returned, not thrown. */
  try(args: readonly string[], options?: { cwd?: string; input?: string; signal?: AbortSignal }): Promise<RunResult>;
}

/** A git config value, quoted: backslash, quote and newline escaped as git reads them. */
export function gitQuoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Writes `configPath` (trusting `trusted`, absolute paths) and returns a
 * runner whose git reads it as its only config besides the repository's.
 */
export async function hostGit(configPath: string, trusted: readonly string[]): Promise<HostGit> {
  await mkdir(dirname(configPath), { recursive: true });
  await writeFile(configPath, `[safe]\n${trusted.map((dir) => `\tdirectory = ${gitQuoted(dir)}\n`).join('')}`, { mode: 0o600 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: configPath,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '/bin/false',
    // No repository's hook runs for bottle (a gate repository's could be the bundle's doing).
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.hooksPath',
    GIT_CONFIG_VALUE_0: '/dev/null',
  };
  const attempt: HostGit['try'] = (args, options = {}) =>
    run('git', args, { env, extendEnv: false, echo: false, ...(options.cwd && { cwd: options.cwd }), ...(options.input !== undefined && { input: options.input }), ...(options.signal && { signal: options.signal }) });
  const git = (async (args, options = {}) => {
    options.log?.(`$ git ${args.join(' ')}`);
    const result = await attempt(args, options);
    if (result.exitCode !== 0) {
      const said = result.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${result.exitCode}`;
      throw new TaskError(`git ${args.slice(0, 4).join(' ')} failed: ${said}`, { code: 'GIT_FAILED' });
    }
    return result;
  }) as HostGit;
  git.try = attempt;
  return git;
}
