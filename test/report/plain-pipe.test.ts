/**
 * In a pipe (CI logs, `| tee`), `--progress auto` must pick the plain lines,
 * and they must never carry an escape sequence or a carriage return. The
 * fixture is a real engine run on the real clock, with a retry and a failure.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function runInPipe(progress: string, env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bottle-pipe-'));
  roots.push(root);
  // Colour would be forced by FORCE_COLOR in a terminal library; plain output must not care.
  const r = await execa('node', ['--import', 'tsx', 'test/fixtures/progress-run.ts', root, '0.2', progress], {
    cwd: REPO,
    reject: false,
    stdin: 'ignore',
    env: { FORCE_COLOR: '1', ...env },
  });
  return { ...r, root, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('plain progress in a pipe', () => {
  it('is what auto picks, one line per transition, with no escape and no carriage return', async () => {
    const { exitCode, stdout, stderr, root } = await runInPipe('auto');
    expect(exitCode).toBe(1);
    expect(stdout).not.toMatch(/[\x1b\r]/);
    expect(stderr).not.toMatch(/[\x1b\r]/);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('bottle: 3 bottle(s), 5 tasks');
    expect(lines).toContain('bravo  network        retrying in 0.3s (attempt 2): docker daemon busy');
    expect(lines.some((l) => /^charlie  start +FAILED in \d+\.\ds: port 8080 is already in use$/.test(l))).toBe(true);
    expect(lines).toContain('charlie  ready          blocked');
    expect(lines).toContain(`    log: ${root}/charlie/logs/start.log`);
  });

  it('stays free of escapes with NO_COLOR unset and TERM claiming colour', async () => {
    const { stdout } = await runInPipe('plain', { TERM: 'xterm-256color' });
    expect(stdout).toMatch(/^Recap: failed in/m);
    expect(stdout).not.toMatch(/[\x1b\r]/);
  });
});
