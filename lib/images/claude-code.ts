/**
 * Claude Code from the npm registry, installed on the host into the cache (npm
 * inside a container hung here once) and copied into the agent image whole.
 * The version is pinned so images are reproducible; BOTTLE_CLAUDE_CODE_VERSION
 * overrides it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { run } from '../process/run.js';
import type { OpOptions } from '../process/op-options.js';
import { ensureDir } from '../state/root.js';

export const CLAUDE_CODE_VERSION = '2.1.197';

export function claudeCodeVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_CLAUDE_CODE_VERSION || CLAUDE_CODE_VERSION;
}

/**
 * The install prefix: `<dir>/node_modules/@anthropic-ai/claude-code/bin/claude.exe`
 * exists afterwards. Installed into a private temp dir and renamed into place,
 * so two `bottle up`s sharing the cache never see (or make) half an install.
 */
export async function ensureClaudeCode(cache: string, options: OpOptions): Promise<string> {
  const version = claudeCodeVersion();
  const prefix = join(cache, `claude-code-${version}`);
  if (existsSync(binIn(prefix))) return prefix;
  await ensureDir(cache);
  const temp = await mkdtemp(join(cache, `.claude-code-${version}-`));
  try {
    const npm = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', temp, `@anthropic-ai/claude-code@${version}`], options);
    if (npm.exitCode !== 0 || !existsSync(binIn(temp))) {
      throw new TaskError(`npm could not install @anthropic-ai/claude-code@${version}: ${npm.stderr.trim().split('\n').at(-1) ?? ''}`, {
        code: 'NPM_FAILED',
        transient: true,
      });
    }
    try {
      await rename(temp, prefix);
    } catch (error) {
      // Another run got there first: its install is as good as ours.
      if (!existsSync(binIn(prefix))) throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return prefix;
}

function binIn(prefix: string): string {
  return join(prefix, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
}
