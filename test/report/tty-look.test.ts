import { describe, expect, it } from 'vitest';
import { type RunResult, STATUSES, type Status } from '../../lib/engine/index.js';
import { recapLines } from '../../lib/report/recap.js';
import {
  collapsedLine,
  groupStatus,
  isCompact,
  isRowShown,
  LOOK,
  openLine,
  paintRecap,
  painter,
  rowDetail,
  rowLine,
  type RowMode,
} from '../../lib/report/tty-look.js';
import { emptyModel, type Group, type Row } from '../../lib/report/tty-model.js';

const plain = painter(true);
const colour = painter(false);
const SGR = /\x1b\[[0-9;]*m/;

/** A row in `status`, as the model holds it at t=10000 (started at 8000, attempt 2 when it retried). */
function row(status: Status, extra: Partial<Row> = {}): Row {
  const base: Row = { item: 'demo-ab12c', task: 'network', status, attempt: 1 };
  switch (status) {
    case 'pending':
      return { ...base, attempt: 0, ...extra };
    case 'running':
      return { ...base, startedAt: 8000, attemptAt: 8000, ...extra };
    case 'retrying':
      return { ...base, attempt: 2, startedAt: 8000, error: 'docker daemon busy', retryAt: 10_400, ...extra };
    case 'done':
      return { ...base, startedAt: 8000, endedAt: 9234, durationMs: 1234, ...extra };
    case 'up-to-date':
      return { ...base, attempt: 0, endedAt: 8000, durationMs: 3, ...extra };
    case 'failed':
      return { ...base, startedAt: 8000, endedAt: 9500, durationMs: 1500, error: 'port 8080 is already in use', ...extra };
    case 'blocked':
      return { ...base, attempt: 0, endedAt: 9500, durationMs: 0, ...extra };
    case 'cancelled':
      return { ...base, startedAt: 8000, endedAt: 9000, durationMs: 1000, error: 'interrupted by SIGINT', ...extra };
  }
}

function group(item: string, statuses: [string, Status][], endedAt?: number): Group {
  const rows = new Map(statuses.map(([task, status]) => [task, row(status, { item, task })]));
  return { item, rows, ...(endedAt === undefined ? {} : { endedAt }) };
}

describe('row text', () => {
  // A Record over every status: a new status fails to compile here until its row text is decided.
  const expected: Record<Status, string> = {
    pending: 'waiting',
    running: 'running 2.0s',
    retrying: 'retrying: attempt 2 in 0.4s · docker daemon busy',
    done: 'done 1.2s',
    'up-to-date': 'up to date',
    failed: 'failed 1.5s · port 8080 is already in use',
    blocked: 'blocked: a task it needs did not succeed',
    cancelled: 'cancelled after 1.0s',
  };

  it.each(STATUSES)('reads right for %s', (status) => {
    expect(rowDetail(row(status), 10_000)).toBe(expected[status]);
  });

  it('shows the attempt and the last reason of a retried task, and attempts once done', () => {
    expect(rowDetail(row('running', { attempt: 3, attemptAt: 9500, error: 'docker daemon busy' }), 10_000)).toBe(
      'running 0.5s · attempt 3, last: docker daemon busy',
    );
    expect(rowDetail(row('done', { attempt: 2 }), 10_000)).toBe('done 1.2s · 2 attempts');
    expect(rowDetail(row('failed', { attempt: 3 }), 10_000)).toBe('failed 1.5s after 3 attempts · port 8080 is already in use');
    expect(rowDetail(row('cancelled', { startedAt: undefined, attempt: 0 }), 10_000)).toBe('cancelled');
  });

  it('pads the task name and colours the detail by status, or not at all with colour off', () => {
    expect(rowLine(row('done', { task: 'ca' }), 10_000, 8, plain)).toBe('ca        done 1.2s');
    expect(rowLine(row('failed'), 10_000, 8, colour)).toBe('network   \x1b[31mfailed 1.5s · port 8080 is already in use\x1b[39m');
    for (const status of STATUSES) expect(rowLine(row(status), 10_000, 8, plain)).not.toMatch(SGR);
  });

  it('gives every status an icon and a colour, distinct icons for distinct outcomes', () => {
    const icons = new Set((['done', 'failed', 'blocked', 'cancelled', 'retrying'] as const).map((s) => LOOK[s].icon));
    expect(icons.size).toBe(5);
    expect(STATUSES.filter((s) => LOOK[s].spins)).toEqual(['running']);
  });
});

describe('bottle lines', () => {
  const tasks = (n: number, status: Status, prefix: string): [string, Status][] =>
    Array.from({ length: n }, (_, i) => [`${prefix}${i}`, status]);

  it('collapses a finished bottle to one line: counts and time', () => {
    const g = group('demo-ab12c', [...tasks(10, 'done', 't'), ...tasks(3, 'up-to-date', 'u')], 12_300);
    expect(collapsedLine(g, 12_300, 10, plain)).toBe('demo-ab12c  10 done · 3 up to date  12.3s');
    expect(groupStatus(g)).toBe('done');
  });

  it('names the failed tasks in the collapsed line, and shows the worst outcome', () => {
    const g = group('charlie', [['prepare', 'done'], ['network', 'done'], ['start', 'failed'], ['ready', 'blocked']], 900);
    expect(collapsedLine(g, 900, 7, plain)).toBe('charlie  2 done · 1 failed (start) · 1 blocked  0.9s');
    expect(groupStatus(g)).toBe('failed');
    expect(groupStatus(group('x', [['a', 'done'], ['b', 'cancelled'], ['c', 'blocked']], 1))).toBe('cancelled');
    expect(groupStatus(group('x', [['a', 'up-to-date']], 1))).toBe('up-to-date');
  });

  it('shows what moves in an open bottle, live', () => {
    const g = group('bravo', [['prepare', 'done'], ['network', 'retrying'], ['start', 'running']]);
    expect(openLine(g, 4200, 7, plain)).toBe('bravo    1 running · 1 retrying · 1 done  4.2s');
    expect(groupStatus(g)).toBe('running');
    expect(groupStatus(group('images', []))).toBe('pending');
    expect(openLine(group('images', []), 0, 6, plain)).toBe('images  waiting  0.0s');
  });

  it('draws all rows while they fit, then only moving and failed ones; a finished bottle only what Ctrl-C cut short', () => {
    const shown = (mode: RowMode) => STATUSES.filter((s) => isRowShown(row(s), mode));
    expect(shown('all')).toEqual([...STATUSES]);
    expect(shown('moving')).toEqual(['running', 'retrying', 'failed']);
    expect(shown('interrupted')).toEqual(['cancelled']);
    expect(isRowShown(row('cancelled', { startedAt: undefined }), 'interrupted')).toBe(false);

    const model = emptyModel();
    model.groups.set('a', group('a', tasks(5, 'done', 't')));
    model.groups.set('b', group('b', tasks(5, 'done', 't'), 100));
    expect(isCompact(model, 7)).toBe(false); // 2 bottle lines + 5 open rows; a finished bottle is one line
    expect(isCompact(model, 6)).toBe(true);
  });
});

describe('recap', () => {
  const result: RunResult = {
    status: 'failed',
    counts: { done: 3, 'up-to-date': 1, failed: 1, blocked: 1, cancelled: 0 },
    durationMs: 2500,
    recordErrors: [],
    nodes: new Map(
      (
        [
          ['_run', 'image', 'up-to-date'],
          ['alpha', 'start', 'done'],
          ['alpha', 'ready', 'done'],
          ['charlie', 'prepare', 'done'],
          ['charlie', 'start', 'failed'],
          ['charlie', 'ready', 'blocked'],
        ] as const
      ).map(([item, task, status]) => [
        `${item}/${task}`,
        {
          item,
          task,
          status,
          record: { status, attempts: 1, durationMs: 10, ...(status === 'failed' ? { error: { message: 'port in use', code: 'X', transient: false } } : {}) },
        },
      ]),
    ),
  };
  const lines = recapLines(result, { logPath: (b, t) => `/state/${b}/logs/${t}.log` }).flatMap((l) => l.split('\n'));

  it('is the recap, untouched, with colour off', () => {
    const painted = paintRecap(lines, result.status, plain);
    expect(painted).toEqual(lines);
    expect(painted.join('\n')).not.toMatch(/\x1b/);
    expect(painted).toContain('  charlie start: port in use');
    expect(painted).toContain('    log: /state/charlie/logs/start.log');
  });

  it('colours the head by the run, each count by its status, failures red and log paths dim', () => {
    const painted = paintRecap(lines, result.status, colour);
    expect(painted[0]).toBe(`\x1b[1m\x1b[31m${lines[0]}\x1b[39m\x1b[22m`);
    expect(painted.find((l) => l.includes('charlie') && l.includes('blocked'))).toContain('\x1b[31m1 failed\x1b[39m');
    expect(painted.find((l) => l.includes('alpha'))).toContain('\x1b[32m2 done\x1b[39m');
    expect(painted).toContain('\x1b[31m  charlie start: port in use\x1b[39m');
    expect(painted).toContain('\x1b[2m    log: /state/charlie/logs/start.log\x1b[22m');
    expect(painted.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(lines);
  });
});
