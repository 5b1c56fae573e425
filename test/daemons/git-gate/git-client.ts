/**
 * The real git, run as a user of the gate would: a temp HOME, no system
 * config, no prompts, a fixed identity (`-c`), never a shell. Results come
 * back whole (stdout, stderr, exit code), failures included, for the test to
 * judge.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../../state/temp-dir.js';

export interface GitResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitClient {
  /** Runs `git <args>` in `cwd`; never throws for a non-zero exit. */
  run(args: readonly string[], cwd?: string): Promise<GitResult>;
  /** Like run, but throws with git's stderr when it fails. */
  ok(args: readonly string[], cwd?: string): Promise<string>;
  /** Writes `files` (path -> content) into the work tree and commits them. Returns the commit id. */
  commit(cwd: string, files: Readonly<Record<string, string | Buffer>>, message?: string): Promise<string>;
}

const IDENTITY = ['-c', 'user.name=Bottle Test', '-c', 'user.email=test@bottle.invalid', '-c', 'init.defaultBranch=main'];

export async function gitClient(): Promise<GitClient> {
  const home = await tempDir();
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LANG: 'C' };
  const run = async (args: readonly string[], cwd = home): Promise<GitResult> => {
    const result = await execa('git', [...IDENTITY, ...args], { cwd, env, extendEnv: false, reject: false, stdin: 'ignore' });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  const ok = async (args: readonly string[], cwd?: string): Promise<string> => {
    const result = await run(args, cwd);
    if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed (${result.exitCode}):\n${result.stderr}`);
    return result.stdout;
  };
  return {
    run,
    ok,
    async commit(cwd, files, message = 'change') {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(cwd, path)), { recursive: true });
        await writeFile(join(cwd, path), content);
      }
      await ok(['add', '--all'], cwd);
      await ok(['commit', '--quiet', '--allow-empty', '-m', message], cwd);
      return (await ok(['rev-parse', 'HEAD'], cwd)).trim();
    },
  };
}
