import { describe, expect, it } from 'vitest';
import { recapLines } from '../../lib/report/recap.js';
import { failedRun, GUEST, GUEST_SHOWN, RAW_CONTROL } from './hostile.js';

describe('the recap', () => {
  it("shows a failure's reason with the guest's control characters escaped", () => {
    const lines = recapLines(failedRun(GUEST), { logPath: (b, t) => `/state/${b}/logs/${t}.log` });
    expect(lines.at(-1)).toBe(`  a prepare: ${GUEST_SHOWN}\n    log: /state/a/logs/prepare.log`);
    expect(lines.join('\n')).not.toMatch(RAW_CONTROL);
  });
});
