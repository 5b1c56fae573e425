/**
 * Claude Code's host install: real npm, real registry package. Two installs
 * racing into one cache both succeed and leave one whole install.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { claudeCodeVersion, ensureClaudeCode } from '../../lib/images/claude-code.js';

let cache: string;
afterAll(async () => {
  if (cache) await rm(cache, { recursive: true, force: true });
});

describe('ensureClaudeCode', () => {
  it('installs the pinned version once, even when two runs race for the cache', async () => {
    cache = await mkdtemp(join(tmpdir(), 'bottle-cache-'));
    const [a, b] = await Promise.all([ensureClaudeCode(cache, {}), ensureClaudeCode(cache, {})]);
    expect(a).toBe(b);
    const bin = join(a, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
    const version = await execa(bin, ['--version'], { env: { DISABLE_AUTOUPDATER: '1' } });
    expect(version.stdout).toBe(`${claudeCodeVersion()} (Claude Code)`);
    expect(readdirSync(cache)).toEqual([`claude-code-${claudeCodeVersion()}`]);
    expect(existsSync(bin)).toBe(true);
  }, 120_000);
});
