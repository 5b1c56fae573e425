/**
 * In a pipe (CI logs, `| tee`), `--progress auto` must pick the plain lines,
 * and they must never carry an escape sequence or a carriage return; a
 * failure's reason is given once, in the recap, which stays short for 100
 * bottles. The fixture is a real engine run on the real clock, with a retry
 * and failures.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { batchBottle } from '../fixtures/progress-run.js';

const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function runInPipe(progress: string, env: Record<string, string> = {}, shape = 'small') {
  const root = mkdtempSync(join(tmpdir(), 'bottle-pipe-'));
  roots.push(root);
  // Colour would be forced by FORCE_COLOR in a terminal library; plain output must not care.
  const r = await execa('node', ['--import', 'tsx', 'test/fixtures/progress-run.ts', root, '0.2', progress, shape], {
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
    expect(lines.some((l) => /^charlie  start +FAILED in \d+\.\ds \(reason and log in the recap\)$/.test(l))).toBe(true);
    // The reason is printed once, in the recap, beside its log.
    expect(lines.filter((l) => l.includes('port 8080 is already in use'))).toEqual(['  charlie start: port 8080 is already in use']);
    expect(lines).toContain('charlie  ready          blocked');
    expect(lines).toContain(`    log: ${root}/charlie/logs/start.log`);
  });

  it('stays free of escapes with NO_COLOR unset and TERM claiming colour', async () => {
    const { stdout } = await runInPipe('plain', { TERM: 'xterm-256color' });
    expect(stdout).toMatch(/^Recap: failed in/m);
    expect(stdout).not.toMatch(/[\x1b\r]/);
  });

  it('ends 100 bottles with a short recap: the bottles that went well on one line, each failure once, with its log', async () => {
    const { exitCode, stdout, root } = await runInPipe('plain', {}, 'up:100');
    expect(exitCode).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    const recap = lines.slice(lines.findIndex((l) => l.startsWith('Recap: ')));
    expect(recap.slice(1)).toEqual([
      '  98 bottles ok: 10 done each',
      '  (images)       3 done',
      expect.stringMatching(/^ {2}agent-(3|9)-[0-9a-f]{5} {2}\d done, 1 failed, \d blocked$/),
      expect.stringMatching(/^ {2}agent-(3|9)-[0-9a-f]{5} {2}\d done, 1 failed, \d blocked$/),
      'Failures:',
      ...[
        [batchBottle(3), 'start-vm', 'port 8080 is already in use'],
        [batchBottle(9), 'ca', 'curl: (60) SSL certificate problem'],
      ].flatMap(([bottle, task, reason]) => [`  ${bottle} ${task}: ${reason}`, `    log: ${root}/${bottle}/logs/${task}.log`]),
    ]);
    // Where it happened, a failure is one FAILED line; its reason is in the recap alone.
    expect(lines.filter((l) => / FAILED /.test(l))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('port 8080 is already in use'))).toHaveLength(1);
  });
});
