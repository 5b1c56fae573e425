/**
 * Runs one git command for the pre-receive hook (execa, argv array, the
 * environment given and nothing else) and returns its output, or throws a
 * GitCommandError naming the command, its exit and git's own words. A
 * command killed because the push's deadline passed rejects with the
 * deadline's reason (a TimeLimitError). It does not interpret the output.
 */
import { execa } from 'execa';

export interface GitContext {
  /** The whole environment of git: the hook passes its own (GIT_DIR, the quarantine object directories). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The repo directory (git runs the hook there). */
  readonly cwd: string;
  /** Kills the command when aborted. */
  readonly signal?: AbortSignal;
}

export class GitCommandError extends Error {
  readonly args: readonly string[];
  readonly exitCode: number | undefined;

  constructor(args: readonly string[], exitCode: number | undefined, detail: string) {
    super(`git ${args.join(' ')} failed (${exitCode === undefined ? 'did not run' : `exit ${exitCode}`}): ${detail}`);
    this.name = 'GitCommandError';
    this.args = args;
    this.exitCode = exitCode;
  }
}

export interface GitOutput {
  readonly stdout: string;
  readonly exitCode: number;
}

/** Options execa is given for every git command of the hook. */
export function gitOptions(context: GitContext) {
  return {
    env: context.env,
    extendEnv: false,
    cwd: context.cwd,
    ...(context.signal ? { cancelSignal: context.signal } : {}),
    reject: false,
  } as const;
}

/** Runs `git <args>`; an exit code outside `okExitCodes` is a GitCommandError. */
export async function runGit(args: readonly string[], context: GitContext, okExitCodes: readonly number[] = [0]): Promise<GitOutput> {
  const result = await execa('git', args, { ...gitOptions(context), stdin: 'ignore' });
  if (context.signal?.aborted) throw context.signal.reason;
  if (result.exitCode === undefined || !okExitCodes.includes(result.exitCode)) {
    const detail = firstLine(result.stderr) || (result.shortMessage ?? '');
    throw new GitCommandError(args, result.exitCode, detail);
  }
  return { stdout: result.stdout, exitCode: result.exitCode };
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}
