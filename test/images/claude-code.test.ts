/**
 * Claude Code's host install: real npm, real registry package, through
 * ensureClaudeCode, the function the agent image build calls with the
 * engine's platform. Two installs racing into one cache both succeed and
 * leave one whole install; the install is for the platform asked, whatever
 * the host is: on this x86-64 host, linux/arm64 gives an aarch64 ELF binary
 * (read from its header here, not through the code under test), and a
 * binary of the wrong platform fails with a message naming both. An
 * install from before the platform was in the cache's name is kept when
 * its binary is the platform's.
 */
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeCodeBinary, claudeCodeVersion, ensureClaudeCode, expectPlatform } from '../../lib/images/claude-code.js';
import type { Platform } from '../../lib/images/platform.js';

const AMD64: Platform = { os: 'linux', arch: 'amd64' };
const ARM64: Platform = { os: 'linux', arch: 'arm64' };

const caches: string[] = [];
afterAll(async () => {
  for (const cache of caches) await rm(cache, { recursive: true, force: true });
});

async function freshCache(): Promise<string> {
  const cache = await mkdtemp(join(tmpdir(), 'bottle-cache-'));
  caches.push(cache);
  return cache;
}

/** The ELF header's magic, class and e_machine (little-endian, as both builds are). */
async function elfHeader(path: string): Promise<{ magic: string; elfClass: number; machine: number }> {
  const file = await open(path, 'r');
  const head = Buffer.alloc(20);
  try {
    await file.read(head, 0, 20, 0);
  } finally {
    await file.close();
  }
  return { magic: head.toString('hex', 0, 4), elfClass: head[4]!, machine: head.readUInt16LE(18) };
}

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

describe('ensureClaudeCode', () => {
  it('installs the pinned linux/amd64 build once, even when two runs race for the cache', async () => {
    const cache = await freshCache();
    const [a, b] = await Promise.all([ensureClaudeCode(cache, AMD64, {}), ensureClaudeCode(cache, AMD64, {})]);
    expect(a).toBe(b);
    const bin = claudeCodeBinary(a);
    expect(await elfHeader(bin)).toEqual({ magic: '7f454c46', elfClass: 2, machine: EM_X86_64 });
    const version = await execa(bin, ['--version'], { env: { DISABLE_AUTOUPDATER: '1' } });
    expect(version.stdout).toBe(`${claudeCodeVersion()} (Claude Code)`);
    expect(readdirSync(cache)).toEqual([`claude-code-${claudeCodeVersion()}-linux-x64`]);
    expect(existsSync(bin)).toBe(true);
  }, 180_000);

  it('installs the linux/arm64 build on this x86-64 host: an aarch64 ELF binary, which a linux/amd64 image refuses', async () => {
    const cache = await freshCache();
    const prefix = await ensureClaudeCode(cache, ARM64, {});
    expect(prefix).toBe(join(cache, `claude-code-${claudeCodeVersion()}-linux-arm64`));
    expect(await elfHeader(claudeCodeBinary(prefix))).toEqual({ magic: '7f454c46', elfClass: 2, machine: EM_AARCH64 });
    // Only that platform's native package: not the host's.
    expect(readdirSync(join(prefix, 'node_modules', '@anthropic-ai')).sort()).toEqual(['claude-code', 'claude-code-linux-arm64']);
    // Again: the cache answers, the binary is checked again.
    expect(await ensureClaudeCode(cache, ARM64, {})).toBe(prefix);
    await expect(expectPlatform(prefix, AMD64, 'fix')).rejects.toMatchObject({
      code: 'WRONG_PLATFORM',
      message: expect.stringMatching(/does not run on the image's platform linux\/amd64: it is an ELF 64-bit aarch64 binary \(linux\/arm64\), not x86-64; fix$/),
    });
  }, 180_000);

  it("takes over an install from before the platform was in its name when it is the platform's (no npm run)", async () => {
    const cache = await freshCache();
    const legacy = join(cache, `claude-code-${claudeCodeVersion()}`);
    // An x86-64 ELF binary standing in for the host's build (/bin/true on this x86-64 host).
    await mkdir(join(legacy, 'node_modules', '@anthropic-ai', 'claude-code', 'bin'), { recursive: true });
    await copyFile('/bin/true', claudeCodeBinary(legacy));
    const prefix = await ensureClaudeCode(cache, AMD64, { log: (line) => expect.fail(`ran ${line}`) });
    expect(readdirSync(cache)).toEqual([`claude-code-${claudeCodeVersion()}-linux-x64`]);
    expect(await elfHeader(claudeCodeBinary(prefix))).toMatchObject({ machine: EM_X86_64 });
  });
});
