import { describe, expect, it } from 'vitest';
import { plainReporter } from '../../lib/report/plain.js';
import { recapLines } from '../../lib/report/recap.js';
import { failedRun, GUEST, GUEST_SHOWN, RAW_CONTROL } from './hostile.js';

describe('plain progress', () => {
  it('prints what a guest sent, in log lines and reasons, with its control characters escaped', () => {
    const lines: string[] = [];
    const sink = plainReporter((line) => lines.push(line), { verbose: true });
    sink({ type: 'node-log', item: 'a', task: 'prepare', line: GUEST });
    sink({ type: 'node-retry', item: 'a', task: 'prepare', attempt: 2, delayMs: 100, error: GUEST });
    sink({ type: 'node-end', item: 'a', task: 'start', status: 'cancelled', attempts: 1, durationMs: 0, error: GUEST });
    expect(lines).toEqual([
      `a  prepare        | ${GUEST_SHOWN}`,
      `a  prepare        retrying in 0.1s (attempt 2): ${GUEST_SHOWN}`,
      `a  start          cancelled: ${GUEST_SHOWN}`,
    ]);
    for (const line of lines) expect(line).not.toMatch(RAW_CONTROL);
  });

  it("says that a task failed where it happens, and gives its reason once, in the recap with its log", () => {
    const lines: string[] = [];
    const sink = plainReporter((line) => lines.push(line));
    sink({ type: 'node-end', item: 'a', task: 'prepare', status: 'failed', attempts: 2, durationMs: 1500, error: 'disk full' });
    lines.push(...recapLines(failedRun('disk full'), { logPath: (b, t) => `/state/${b}/logs/${t}.log` }).flatMap((l) => l.split('\n')));
    expect(lines[0]).toBe('a  prepare        FAILED in 1.5s (reason and log in the recap)');
    expect(lines.filter((l) => l.includes('disk full'))).toEqual(['  a prepare: disk full']);
    expect(lines.at(-1)).toBe('    log: /state/a/logs/prepare.log');
  });
});
