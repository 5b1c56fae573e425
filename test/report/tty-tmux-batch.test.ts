/**
 * A batch in a real terminal: an 80x30 tmux pane runs
 * test/fixtures/progress-run.ts with 100 bottles of the up graph's shape
 * (`up:100`, the real engine on the real clock, `--progress auto`). The
 * bottles do not fit 30 lines, so the display must draw the batch frame, in
 * place: the test reads the pane mid-run and at the end, and the pane's
 * scrollback, which must stay empty (a frame that did not fit, or a redraw
 * that cleared the screen from its corner, would leave copies there). Waits
 * are bounded polls on what the pane shows, never fixed sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchBottle } from '../fixtures/progress-run.js';
import { linesOf, openPane, type Pane } from './tmux.js';

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const TASKS = ['base-image', 'agent-image', 'bundle-image', 'prepare', 'network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];
let pane: Pane;
let root: string;

beforeAll(() => {
  pane = openPane('bottle-batch', 80, 30);
  root = mkdtempSync(join(tmpdir(), 'bottle-batch-'));
});

afterAll(() => {
  try {
    pane.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

describe('a batch of 100 bottles in an 80x30 terminal', () => {
  it('draws counts per task, running rows and an ETA in 28 lines, in place; then the recap, each failure once', async () => {
    pane.type(`clear; node --import tsx test/fixtures/progress-run.ts ${root} 1 auto up:100; echo "EXIT=$?"`);

    // Mid-run, once a task failed: some bottle tasks done, some running, an estimate, the failure counted.
    const mid = await pane.when((s) => /ETA \d/.test(s) && /^✖ \d+ failed/m.test(s) && SPINNER.test(s), 'a frame with an ETA, running rows and a failure');
    const midLines = linesOf(mid).filter((l) => l !== '');
    expect(midLines.length).toBeLessThanOrEqual(28);
    expect(midLines[0]).toMatch(/^\d+\/100 bottles ready · \d+ failed(?: · \d+ blocked)? · elapsed \d+s · ETA \d+s$/);
    expect(midLines[1]).toMatch(/^ +done +running +waiting/);
    expect(midLines.slice(2, 2 + TASKS.length).map((l) => l.trim().split(/\s+/)[0])).toEqual(TASKS);
    // Running rows: spinner, bottle, task, time so far.
    expect(midLines.some((l) => /^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] agent-\d+-[0-9a-f]{5} +[a-z-]+ +running \d+\.\ds/.test(l))).toBe(true);
    for (const line of midLines) expect([...line].length).toBeLessThan(80);
    // The failure is counted and named, its reason kept for the recap.
    expect(midLines.find((l) => l.startsWith('✖'))).toMatch(new RegExp(`^✖ \\d+ failed(, \\d+ blocked)?: ${batchBottle(3)} start-vm`));
    expect(mid).not.toContain('port 8080');
    expect(pane.historySize()).toBe(0);

    const end = await pane.when((s) => /EXIT=\d+/.test(s), 'the exit code', 60_000);
    const endLines = linesOf(end);
    expect(end).toMatch(/EXIT=1/);
    expect(end).not.toMatch(SPINNER);
    const failed = [
      { bottle: batchBottle(3), task: 'start-vm', reason: 'port 8080 is already in use' },
      { bottle: batchBottle(9), task: 'ca', reason: 'curl: (60) SSL certificate problem' },
    ];
    // The last frame: counts, no running rows, the failures named; then the recap, short.
    expect(endLines[0]).toBe('98/100 bottles ready · 2 failed');
    expect(endLines).toContain(`✖ 2 failed, 7 blocked: ${failed.map((f) => `${f.bottle} ${f.task}`).join(', ')}`);
    expect(endLines.find((l) => l.startsWith('Recap: '))).toMatch(/^Recap: failed in \d+\.\ds$/);
    expect(endLines).toContain('  98 bottles ok: 10 done each');
    for (const f of failed) {
      expect(endLines.filter((l) => l.includes(f.reason))).toEqual([`  ${f.bottle} ${f.task}: ${f.reason}`]);
      expect(endLines).toContain(`    log: ${join(root, f.bottle, 'logs', `${f.task}.log`)}`);
    }

    // Nothing scrolled past: the whole transcript holds one frame, the last.
    expect(pane.historySize()).toBe(0);
    const transcript = linesOf(pane.transcript());
    expect(transcript.filter((l) => l.includes('bottles ready'))).toHaveLength(1);
    expect(transcript.filter((l) => l.startsWith('  prepare '))).toHaveLength(1);
  });
});
