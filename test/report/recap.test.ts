import { describe, expect, it } from 'vitest';
import { emptyCounts, type EndStatus, type NodeResult, type RunResult } from '../../lib/engine/index.js';
import { LISTED, recapLines } from '../../lib/report/recap.js';
import { failedRun, GUEST, GUEST_SHOWN, RAW_CONTROL } from './hostile.js';

const recap = { logPath: (b: string, t: string) => `/state/${b}/logs/${t}.log` };
const TASKS = ['prepare', 'network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'supervise', 'ready'];

/** A run of `bottles`, each ending its ten tasks as `statuses(bottle)` says, and the three images done. */
function run(bottles: string[], statuses: (bottle: string) => EndStatus[]): RunResult {
  const nodes = new Map<string, NodeResult>();
  const counts = emptyCounts();
  const add = (item: string, task: string, status: EndStatus) => {
    counts[status]++;
    const error = status === 'failed' ? { message: `${task} broke in ${item}`, code: 'X', transient: false } : undefined;
    nodes.set(`${item}/${task}`, { item, task, status, record: { status, attempts: 1, durationMs: 10, ...(error ? { error } : {}) } });
  };
  for (const task of ['base-image', 'agent-image', 'bundle-image']) add('_run', task, 'done');
  for (const bottle of bottles) statuses(bottle).forEach((status, i) => add(bottle, TASKS[i]!, status));
  return { status: counts.failed > 0 ? 'failed' : 'ok', counts, durationMs: 61_000, recordErrors: [], nodes };
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `agent-${i + 1}-ab12c`);
const all = (status: EndStatus): EndStatus[] => TASKS.map(() => status);
const failedAt = (i: number): EndStatus[] => TASKS.map((_, k) => (k < i ? 'done' : k === i ? 'failed' : 'blocked'));

describe('the recap', () => {
  it("shows a failure's reason with the guest's control characters escaped", () => {
    const lines = recapLines(failedRun(GUEST), recap);
    expect(lines.at(-1)).toBe(`  a prepare: ${GUEST_SHOWN}\n    log: /state/a/logs/prepare.log`);
    expect(lines.join('\n')).not.toMatch(RAW_CONTROL);
  });

  it('reads the same whichever bottle ended first: bottles and failures in their natural order', () => {
    const statuses = (b: string) => (b === 'agent-3-ab12c' ? failedAt(3) : b === 'agent-10-ab12c' ? failedAt(6) : all('done'));
    const inOrder = run(names(12), statuses);
    const reversed = { ...inOrder, nodes: new Map([...inOrder.nodes].reverse()) };
    const lines = recapLines(reversed, recap);
    expect(lines).toEqual(recapLines(inOrder, recap));
    expect(lines.filter((l) => / broke in /.test(l)).map((l) => l.trim().split(' ')[0])).toEqual(['agent-3-ab12c', 'agent-10-ab12c']);
  });

  it(`lists each bottle while there are at most ${LISTED}`, () => {
    const lines = recapLines(run(names(LISTED), (b) => (b === 'agent-2-ab12c' ? failedAt(3) : all('done'))), recap);
    expect(lines).toHaveLength(1 + 1 + LISTED + 2); // the head, the images, each bottle, "Failures:" and the one failure
    expect(lines[1]).toBe('  (images)        3 done');
    expect(lines[2]).toBe('  agent-1-ab12c   10 done');
    expect(lines[3]).toBe('  agent-2-ab12c   3 done, 1 failed, 6 blocked');
  });

  it('stays short for 100 bottles: the ones that ended alike are one line, each failed bottle and each failure once', () => {
    const result = run(names(100), (b) =>
      b === 'agent-3-ab12c' ? failedAt(3) : b === 'agent-9-ab12c' ? failedAt(6) : b === 'agent-50-ab12c' ? [...all('done').slice(0, 4), ...all('cancelled').slice(4)] : all('done'),
    );
    expect(recapLines(result, recap).flatMap((l) => l.split('\n'))).toEqual([
      'Recap: failed in 61.0s',
      '  97 bottles ok: 10 done each',
      '  (images)        3 done',
      '  agent-3-ab12c   3 done, 1 failed, 6 blocked',
      '  agent-9-ab12c   6 done, 1 failed, 3 blocked',
      '  agent-50-ab12c  4 done, 6 cancelled',
      'Failures:',
      '  agent-3-ab12c start-vm: start-vm broke in agent-3-ab12c',
      '    log: /state/agent-3-ab12c/logs/start-vm.log',
      '  agent-9-ab12c ca: ca broke in agent-9-ab12c',
      '    log: /state/agent-9-ab12c/logs/ca.log',
    ]);
  });

  it('sums the counts of bottles that ended well but not alike, and gives many cancelled bottles one line too', () => {
    const result = run(names(40), (b) => {
      const i = Number(b.split('-')[1]);
      if (i <= 10) return all('up-to-date');
      if (i <= 30) return all('done');
      return [...all('done').slice(0, 2), ...all('cancelled').slice(2)];
    });
    expect(recapLines(result, recap).slice(1)).toEqual([
      '  30 bottles ok: 200 done, 100 up to date in all',
      '  10 bottles cancelled: 2 done, 8 cancelled each',
      '  (images)  3 done',
    ]);
  });
});
