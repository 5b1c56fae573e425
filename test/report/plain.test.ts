import { describe, expect, it } from 'vitest';
import { plainReporter } from '../../lib/report/plain.js';
import { GUEST, GUEST_SHOWN, RAW_CONTROL } from './hostile.js';

describe('plain progress', () => {
  it('prints what a guest sent, in log lines and reasons, with its control characters escaped', () => {
    const lines: string[] = [];
    const sink = plainReporter((line) => lines.push(line), { verbose: true });
    sink({ type: 'node-log', item: 'a', task: 'prepare', line: GUEST });
    sink({ type: 'node-retry', item: 'a', task: 'prepare', attempt: 2, delayMs: 100, error: GUEST });
    sink({ type: 'node-end', item: 'a', task: 'prepare', status: 'failed', attempts: 2, durationMs: 1500, error: GUEST });
    expect(lines).toEqual([
      `a  prepare        | ${GUEST_SHOWN}`,
      `a  prepare        retrying in 0.1s (attempt 2): ${GUEST_SHOWN}`,
      `a  prepare        FAILED in 1.5s: ${GUEST_SHOWN}`,
    ]);
    for (const line of lines) expect(line).not.toMatch(RAW_CONTROL);
  });
});
