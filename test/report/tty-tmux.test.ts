/**
 * The listr2 display in a real terminal: a tmux pane (120x40) runs
 * test/fixtures/progress-run.ts — a real engine run on the real clock, with
 * `--progress auto`, so the picker must choose the terminal display itself —
 * and the test reads the screen with `tmux capture-pane`, mid-run and at the
 * end (and its scrollback, which redraws in place leave empty), and presses
 * Ctrl-C in a second run. Waits are bounded polls on what the pane shows,
 * never fixed sleeps. The batch display in a pane is tty-tmux-batch.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesOf as lines, openPane, type Pane } from './tmux.js';

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const roots: string[] = [];
let pane: Pane;

/** Clears the pane and runs the fixture in it; the shell then prints its exit code and the time it ended (ms). */
function start(slowdown: number): string {
  const root = mkdtempSync(join(tmpdir(), 'bottle-tty-'));
  roots.push(root);
  pane.type(`clear; node --import tsx test/fixtures/progress-run.ts ${root} ${slowdown} auto; echo "EXIT=$? AT=$(date +%s%3N)"`);
  return root;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

beforeAll(() => {
  pane = openPane('bottle-tty', 120, 40);
});

afterAll(() => {
  try {
    pane.close();
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
});

describe('the terminal display in tmux', () => {
  it('draws running rows with spinners mid-run, then one line per bottle, the recap and the failure with its log', async () => {
    const root = start(1);

    const mid = await pane.when((s) => /running \d+\.\ds/.test(s), 'a running row');
    const midLines = lines(mid);
    // A running row: spinner, task, state and time so far; its bottle's line counts what runs.
    expect(midLines.some((l) => /^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (image|prepare|network|start|ready) +running \d+\.\ds/.test(l))).toBe(true);
    expect(midLines.some((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (images|alpha|bravo|charlie) +.*\d+ running/.test(l))).toBe(true);

    const end = await pane.when((s) => /EXIT=\d+/.test(s), 'the exit code');
    const endLines = lines(end);
    expect(end).toMatch(/EXIT=1 /);
    // Redrawn in place: no frame was pushed into the scrollback.
    expect(pane.historySize()).toBe(0);
    // Finished bottles collapsed to one line each, drawn in place: each appears once, nothing spins any more.
    const collapsed: [icon: string, bottle: string, counts: string][] = [
      ['✔', 'images ', '1 done'],
      ['✔', 'alpha  ', '4 done'],
      ['✔', 'bravo  ', '4 done'],
      ['✖', 'charlie', '2 done · 1 failed (start) · 1 blocked'],
    ];
    for (const [icon, bottle, counts] of collapsed) {
      const matching = endLines.filter((l) => l.includes(` ${bottle.trim()} `) && l.startsWith(icon));
      expect(matching).toEqual([expect.stringMatching(new RegExp(`^${icon} ${bottle}  ${escape(counts)}  \\d+\\.\\ds$`))]);
    }
    expect(end).not.toMatch(SPINNER);
    expect(end).not.toMatch(/running/);
    expect(endLines.filter((l) => /^ {2}[✔✖↓⊘↻]/.test(l))).toEqual([]); // no row is left under a finished bottle
    expect(endLines).toContain('  charlie   2 done, 1 failed, 1 blocked');
    expect(endLines).toContain('Failures:');
    expect(endLines).toContain('  charlie start: port 8080 is already in use');
    expect(endLines).toContain(`    log: ${root}/charlie/logs/start.log`);
    expect(endLines.find((l) => l.startsWith('Recap: '))).toMatch(/^Recap: failed in \d+\.\ds$/);
    // The log the recap points at is there, with what the task printed.
    expect(readFileSync(join(root, 'charlie', 'logs', 'start.log'), 'utf8')).toContain('driver failed programming external connectivity');
  });

  it('shows the cancelled rows after Ctrl-C, and the process exits with 130 within 2 s', async () => {
    start(5);
    await pane.when((s) => /✔ prepare +done/.test(s) && /running \d+\.\ds/.test(s), 'a done row and a running one');
    const pressed = Date.now();
    pane.key('C-c');

    const end = await pane.when((s) => /EXIT=\d+ AT=\d+/.test(s), 'the exit code');
    const [, code, at] = /EXIT=(\d+) AT=(\d+)/.exec(end)!;
    expect(Number(code)).toBe(130);
    expect(Number(at) - pressed).toBeLessThan(2000);

    const endLines = lines(end);
    // Bottles cut short stay open on the tasks that were running: cancelled, with how long they had run.
    expect(endLines.filter((l) => /^ {2}⊘ \w+ +cancelled after \d+\.\ds$/.test(l)).length).toBeGreaterThan(0);
    expect(endLines.filter((l) => /^⊘ (alpha|bravo|charlie) +.*\d+ cancelled/.test(l))).toHaveLength(3);
    expect(endLines.find((l) => l.startsWith('Recap: '))).toMatch(/^Recap: cancelled in \d+\.\ds$/);
    expect(end).not.toMatch(SPINNER);
  });
});
