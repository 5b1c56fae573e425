/**
 * The push's deadline, and regexes run under it. The catastrophic regex
 * needs real time (a regex cannot run on a virtual clock); the assertions
 * are about what happens, not how long it took.
 */
import { describe, expect, it } from 'vitest';
import { startDeadline, TimeLimitError } from '../../../daemons/git-gate/deadline.js';
import { timedTest } from '../../../daemons/git-gate/timed-regex.js';

const SLOW = { name: 'slow', regex: /(a+)+$/ };
const FAST = { name: 'fast', regex: /b$/ };

describe('startDeadline', () => {
  it('expires by its clock: check() throws a TimeLimitError naming the limit, and the signal aborts', () => {
    let now = 1000;
    const deadline = startDeadline(500, () => now);
    expect(deadline.remainingMs()).toBe(500);
    deadline.check();
    now = 1499;
    expect(deadline.isExpired).toBe(false);
    now = 1500;
    expect(deadline.remainingMs()).toBe(0);
    expect(() => deadline.check()).toThrow(new TimeLimitError(500));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(TimeLimitError);
    deadline.stop();
  });
});

describe('timedTest', () => {
  it('tests patterns like plain test() while there is time', () => {
    const deadline = startDeadline(10_000);
    expect(timedTest(deadline)([SLOW, FAST], 'aaab')).toEqual([FAST]);
    deadline.stop();
  });

  it('stops a regex that backtracks forever once the deadline passes, with a TimeLimitError', () => {
    const deadline = startDeadline(200);
    const test = timedTest(deadline);
    expect(() => test([SLOW], `${'a'.repeat(60)}b`)).toThrow(TimeLimitError);
    // And the process is fine afterwards: the next test runs, and is refused at once.
    expect(() => test([FAST], 'b')).toThrow(TimeLimitError);
    deadline.stop();
  });
});
