/**
 * What must hold before the gate serves, checked once at start so a broken
 * bundle fails loudly instead of serving unchecked pushes: git is there and
 * new enough for the settings the gate passes it, the repo is a bare repo,
 * and the hooks directory has an executable `pre-receive` (without it git
 * would take every push to an existing ref without a look). It does not
 * create any of them.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { GitGateConfig } from './config.js';
import { GitGateConfigError } from './config.js';

/** GIT_CONFIG_COUNT (how the gate's settings reach git) came with git 2.31. */
export const MIN_GIT_VERSION: readonly [number, number] = [2, 31];

export async function checkServable(config: GitGateConfig, path: string): Promise<void> {
  await checkGit(path);
  const repoDir = join(config.root, config.repo);
  const isBare = await Promise.all([isFile(join(repoDir, 'HEAD')), isDirectory(join(repoDir, 'objects'))]);
  if (!isBare.every(Boolean)) {
    throw new GitGateConfigError(
      `The git gate serves ${config.repo} under ${config.root}, but ${repoDir} is not a bare git repository (no HEAD file and objects directory); create it with git init --bare (or git clone --bare) before starting the gate.`,
    );
  }
  const hook = join(config.hooksDir, 'pre-receive');
  try {
    await access(hook, constants.X_OK);
  } catch (error) {
    throw new GitGateConfigError(
      `The git gate's hooks directory ${config.hooksDir} has no executable pre-receive (${(error as Error).message}); without it pushes would not be checked. Install the hook script there (chmod +x).`,
      [],
      error,
    );
  }
}

async function checkGit(path: string): Promise<void> {
  const result = await execa('git', ['--version'], { env: { PATH: path }, extendEnv: false, reject: false });
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(result.stdout ?? '') ?? []).slice(1).map(Number);
  if (result.exitCode !== 0) {
    throw new GitGateConfigError(`The git gate cannot run git (PATH=${path}): ${result.shortMessage ?? 'no output'}. Install git in the bundle image.`);
  }
  const [needMajor, needMinor] = MIN_GIT_VERSION;
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new GitGateConfigError(`The git gate needs git ${needMajor}.${needMinor} or newer, found ${result.stdout.trim()}. Install a newer git in the bundle image.`);
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}
