/**
 * Claude Code from the npm registry, installed on the host into the cache (npm
 * inside a container hung here once) and copied into the agent image whole.
 * The version is pinned so images are reproducible; BOTTLE_CLAUDE_CODE_VERSION
 * overrides it. It is installed for the image's platform, not the host's:
 * npm's `--os`/`--cpu`/`--libc` fetch that platform's native package, and
 * the binary is put in place here (the package's own postinstall would pick
 * the host's, so scripts do not run); its ELF header must say the image's
 * architecture, else the install fails with a message saying so.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskError } from '../engine/index.js';
import { run } from '../process/run.js';
import type { OpOptions } from '../process/op-options.js';
import { ensureDir } from '../state/root.js';
import { binaryMismatch, npmPlatformFlags, npmPlatformName, platformString, type Platform } from './platform.js';

export const CLAUDE_CODE_VERSION = '2.1.197';

export function claudeCodeVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_CLAUDE_CODE_VERSION || CLAUDE_CODE_VERSION;
}

/**
 * The install prefix for `platform`: `<dir>/node_modules/@anthropic-ai/claude-code/bin/claude.exe`
 * is that platform's native binary afterwards. Installed into a private temp
 * dir and renamed into place, so two `bottle up`s sharing the cache never see
 * (or make) half an install. npm's own cache (~/.npm) keeps the tarballs, so
 * a second platform or a lost cache dir costs no download.
 */
export async function ensureClaudeCode(cache: string, platform: Platform, options: OpOptions): Promise<string> {
  const version = claudeCodeVersion();
  const name = `claude-code-${version}-${npmPlatformName(platform)}`;
  const prefix = join(cache, name);
  if (existsSync(claudeCodeBinary(prefix))) {
    await expectPlatform(prefix, platform, `delete ${prefix} and run again`);
    return prefix;
  }
  if (await adoptedLegacy(cache, version, prefix, platform)) return prefix;
  await ensureDir(cache);
  const temp = await mkdtemp(join(cache, `.${name}-`));
  try {
    // A pinned version's metadata never changes: npm need not ask the registry again for what its cache has.
    const offline = /^\d+\.\d+\.\d+$/.test(version) ? ['--prefer-offline'] : [];
    const npm = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', '--ignore-scripts', ...offline, ...npmPlatformFlags(platform), '--prefix', temp, `@anthropic-ai/claude-code@${version}`],
      options,
    );
    if (npm.exitCode !== 0 || !existsSync(claudeCodeBinary(temp))) {
      throw new TaskError(`npm could not install @anthropic-ai/claude-code@${version}: ${npm.stderr.trim().split('\n').at(-1) ?? ''}`, {
        code: 'NPM_FAILED',
        transient: true,
      });
    }
    const nativePackage = `@anthropic-ai/claude-code-${npmPlatformName(platform)}`;
    const native = join(temp, 'node_modules', nativePackage, 'claude');
    if (!existsSync(native)) {
      throw new TaskError(
        `npm installed no ${nativePackage} for the image's platform ${platformString(platform)}: this npm may not know --os/--cpu/--libc (npm 10.3 or later does: npm install -g npm), or ${version} has no build for it`,
        { code: 'WRONG_PLATFORM' },
      );
    }
    await placeBinary(native, claudeCodeBinary(temp));
    await expectPlatform(temp, platform, 'npm did not install the build asked for (npm 10.3 or later honours --os/--cpu/--libc: npm install -g npm)');
    try {
      await rename(temp, prefix);
    } catch (error) {
      // Another run got there first: its install is as good as ours.
      if (!existsSync(claudeCodeBinary(prefix))) throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return prefix;
}

/** An install from before the platform was in its name (the host's build), moved to `prefix` when it is the platform's: no second install of the same binary. */
async function adoptedLegacy(cache: string, version: string, prefix: string, platform: Platform): Promise<boolean> {
  const legacy = join(cache, `claude-code-${version}`);
  if (!existsSync(claudeCodeBinary(legacy)) || (await binaryMismatch(claudeCodeBinary(legacy), platform).catch(() => 'unreadable'))) return false;
  try {
    await rename(legacy, prefix);
  } catch {
    // Another run moved it first.
  }
  return existsSync(claudeCodeBinary(prefix));
}

/** The `claude` an install prefix holds (what the agent image runs). */
export function claudeCodeBinary(prefix: string): string {
  return join(prefix, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
}

/** Fails the build, saying what the binary is, when Claude Code in `prefix` is not for `platform`. */
export async function expectPlatform(prefix: string, platform: Platform, fix: string): Promise<void> {
  const bin = claudeCodeBinary(prefix);
  const why = await binaryMismatch(bin, platform);
  if (why) throw new TaskError(`Claude Code at ${bin} does not run on the image's platform ${platformString(platform)}: ${why}; ${fix}`, { code: 'WRONG_PLATFORM' });
}

/** The native binary over the package's placeholder (bin/claude.exe), as its postinstall does: a hard link, else a copy. */
async function placeBinary(native: string, dest: string): Promise<void> {
  await rm(dest, { force: true });
  try {
    await link(native, dest);
  } catch {
    await copyFile(native, dest);
    await chmod(dest, 0o755);
  }
}
