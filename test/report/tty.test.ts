/**
 * The listr2 display in-process, driven by a real engine run on the virtual
 * clock (so times on screen are exact), its output fed to a small terminal
 * emulator. The display in a real terminal is tty-tmux.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineGraph, memoryRecorder, runGraph, TaskError, type Recorder, type EngineEvent, type RunResult, emptyCounts } from '../../lib/engine/index.js';
import type { ReporterStreams } from '../../lib/report/reporter.js';
import { ttyReporter, type TtyOptions } from '../../lib/report/tty.js';
import { items, newProbe, sleepTask, type Ctx } from '../helpers/graphs.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { BATCH, BATCH_TASKS, FAILURES, runBatch } from './batch-run.js';
import { failedRun, GUEST, GUEST_SHOWN } from './hostile.js';
import { screenOf } from './terminal.js';

const emptyResult: RunResult = { status: 'ok', counts: emptyCounts(), durationMs: 0, nodes: new Map(), recordErrors: [] };
const recap = { logPath: (bottle: string, task: string) => `/state/${bottle}/logs/${task}.log` };

function capture(noColor = true, columns = 100): { streams: ReporterStreams; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    streams: { out: (t) => void (out += t), err: (t) => void (err += t), columns, noColor },
    out: () => out,
    err: () => err,
  };
}

/** image (run) -> per bottle prepare -> network -> start -> ready; bravo's network fails once (transient), charlie's start for good. */
function graph(clock: VirtualClock) {
  const probe = newProbe();
  const retry = { attempts: 3, baseMs: 100, factor: 2, capMs: 1000, jitter: 0 };
  return defineGraph<Ctx>([
    sleepTask({ id: 'image', scope: 'run', ms: 300 }, clock, probe),
    sleepTask({ id: 'prepare', ms: 100 }, clock, probe),
    sleepTask(
      { id: 'network', needs: ['prepare'], ms: 200, retry, failOn: (item, attempt) => (item === 'bravo' && attempt === 1 ? new TaskError('daemon busy', { transient: true }) : undefined) },
      clock,
      probe,
    ),
    sleepTask(
      { id: 'start', needs: ['network', 'image'], ms: 400, failOn: (item) => (item === 'charlie' ? new TaskError('port 8080 is already in use') : undefined) },
      clock,
      probe,
    ),
    sleepTask({ id: 'ready', needs: ['start'], ms: 100 }, clock, probe),
  ]);
}

async function up(options: { noColor?: boolean; recorder?: Recorder; abortAt?: number; tty?: Partial<TtyOptions>; onEvent?: (e: EngineEvent) => void } = {}) {
  const clock = new VirtualClock();
  const io = capture(options.noColor ?? true);
  const reporter = ttyReporter(io.streams, { verbose: false, now: () => clock.now(), ...options.tty });
  const controller = new AbortController();
  if (options.abortAt !== undefined) clock.at(options.abortAt, () => controller.abort(new Error('interrupted by SIGINT')));
  const result = await clock.run(
    runGraph(graph(clock), {
      items: items('alpha', 'bravo', 'charlie'),
      shared: { item: '_run' },
      clock,
      random: () => 0.5,
      concurrency: 8,
      recorder: options.recorder ?? memoryRecorder(),
      signal: controller.signal,
      onEvent: (e) => {
        reporter.sink(e);
        options.onEvent?.(e);
      },
    }),
  );
  await reporter.finish(result, recap);
  return { result, ...io };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the terminal display', () => {
  it('ends with one line per bottle, then the recap with the failure and where its log is', async () => {
    const { result, out } = await up();
    expect(result.status).toBe('failed');
    expect(screenOf(out())).toEqual([
      '✔ images   1 done  0.3s',
      '✔ alpha    4 done  0.8s',
      '✔ bravo    4 done  1.1s',
      '✖ charlie  2 done · 1 failed (start) · 1 blocked  0.7s',
      '',
      'Recap: failed in 1.1s',
      '  alpha     4 done',
      '  bravo     4 done',
      '  charlie   2 done, 1 failed, 1 blocked',
      '  (images)  1 done',
      'Failures:',
      '  charlie start: port 8080 is already in use',
      '    log: /state/charlie/logs/start.log',
    ]);
  });

  it('marks what was up to date on a second run', async () => {
    const recorder = memoryRecorder();
    await up({ recorder });
    const { out } = await up({ recorder });
    const screen = screenOf(out());
    expect(screen.slice(0, 4)).toEqual([
      '✔ images   1 up to date  0.0s',
      '✔ alpha    4 up to date  0.0s',
      '✔ bravo    4 up to date  0.0s',
      '✖ charlie  2 up to date · 1 failed (start) · 1 blocked  0.4s',
    ]);
  });

  it('keeps a bottle that Ctrl-C cut short open on the tasks it cancelled mid-way, and finish does not throw', async () => {
    // At 250: prepare done everywhere (100), network running (200 ms from 100), bravo's retrying; image running.
    const { result, out } = await up({ abortAt: 250 });
    expect(result.status).toBe('cancelled');
    const screen = screenOf(out());
    expect(screen.slice(0, 8)).toEqual([
      '⊘ images   1 cancelled  0.3s',
      '  ⊘ image    cancelled after 0.3s',
      '⊘ alpha    1 done · 3 cancelled  0.3s',
      '  ⊘ network  cancelled after 0.1s',
      '⊘ bravo    1 done · 3 cancelled  0.3s',
      '  ⊘ network  cancelled after 0.1s',
      '⊘ charlie  1 done · 3 cancelled  0.3s',
      '  ⊘ network  cancelled after 0.1s',
    ]);
    expect(screen).toContain('Recap: cancelled in 0.3s');
  });

  it('writes colour only when asked, and never anything but its own redraws', async () => {
    const plain = (await up({ noColor: true })).out();
    expect(plain).not.toMatch(/\x1b\[[0-9;]*m/);
    const coloured = (await up({ noColor: false })).out();
    expect(coloured).toMatch(/\x1b\[31m/);
    for (const output of [plain, coloured]) {
      const escapes = new Set(output.match(/\x1b\[[0-9;?]*[A-Za-z]/g)?.map((e) => e.replace(/\d+/g, 'N')));
      for (const allowed of ['\x1b[Nm', '\x1b[NA', '\x1b[J', '\x1b[K']) escapes.delete(allowed);
      expect([...escapes]).toEqual([]);
    }
  });

  it('writes only through its streams and touches no process global', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit'] as const;
    const listeners = () => signals.map((s) => process.listenerCount(s));
    const before = listeners();
    const during: number[][] = [];
    const exit = vi.spyOn(process, 'exit');
    const { out } = await up({ onEvent: () => during.push(listeners()) });
    expect(out()).toContain('Recap: failed');
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
    // Checked after every event, while listr2 runs, and after.
    expect(during.length).toBeGreaterThan(10);
    for (const counts of [...during, listeners()]) expect(counts).toEqual(before);
  });
});

/** Frames come on a timer (1 ms here): wait until the screen shows what the test expects, or fail after 5 s. */
async function screenUntil(out: () => string, ok: (screen: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const screen = screenOf(out());
    if (ok(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`the screen never showed what was expected:\n${screen.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const unspin = (line: string) => line.replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '*');

/** A display fed by hand: each `send` sets the clock and hands it events. */
function manual(tty: Partial<TtyOptions>, noColor = true) {
  let t = 0;
  const io = capture(noColor);
  const reporter = ttyReporter(io.streams, { verbose: false, now: () => t, frameMs: 1, ...tty });
  const send = (at: number, ...events: EngineEvent[]) => {
    t = at;
    events.forEach(reporter.sink);
  };
  return { ...io, reporter, send };
}

describe('the terminal display mid-run', () => {
  it('shows every row while they fit, then only the moving and failed ones', async () => {
    const bottles = Array.from({ length: 6 }, (_, i) => `b${i}`);
    const { out, reporter, send } = manual({ maxLines: 13 });
    send(0, { type: 'run-start', items: bottles, tasks: ['prepare', 'start', 'ready'] });
    send(100, ...bottles.map((item): EngineEvent => ({ type: 'node-end', item, task: 'prepare', status: 'done', attempts: 1, durationMs: 100 })));
    // 6 bottle lines + 6 rows fit in 13.
    const full = await screenUntil(out, (s) => s.length === 12);
    expect(full.slice(0, 2)).toEqual(['◌ b0  1 done  0.1s', '  ✔ prepare  done 0.1s']);

    send(140, { type: 'node-start', item: 'b0', task: 'start', attempt: 1 }, { type: 'node-end', item: 'b1', task: 'start', status: 'failed', attempts: 1, durationMs: 5, error: 'no' });
    // 6 + 8 rows do not: done rows go, the running and the failed one stay.
    const compact = await screenUntil(out, (s) => s.length === 8);
    expect(compact.slice(0, 5).map(unspin)).toEqual([
      '* b0  1 running · 1 done  0.1s',
      '  * start    running 0.0s',
      '◌ b1  1 done · 1 failed (start)  0.1s',
      '  ✖ start    failed 0.0s · no',
      '◌ b2  1 done  0.1s',
    ]);
    send(200, { type: 'node-end', item: 'b0', task: 'start', status: 'done', attempts: 1, durationMs: 50 });
    send(200, ...bottles.map((item): EngineEvent => ({ type: 'node-end', item, task: 'ready', status: item === 'b1' ? 'blocked' : 'done', attempts: 1, durationMs: 5 })));
    send(250, { type: 'run-end', status: 'failed', counts: emptyCounts(), durationMs: 250 });
    await reporter.finish(emptyResult, recap);
    expect(screenOf(out()).slice(0, 3)).toEqual(['✔ b0  3 done  0.2s', '✖ b1  1 done · 1 failed (start) · 1 blocked  0.2s', '✔ b2  2 done  0.2s']);
  });

  it('shows the last line a running task logged under it, with --verbose', async () => {
    const { out, reporter, send } = manual({ verbose: true });
    send(0, { type: 'run-start', items: ['a'], tasks: ['prepare'] });
    send(10, { type: 'node-start', item: 'a', task: 'prepare', attempt: 1 }, { type: 'node-log', item: 'a', task: 'prepare', line: 'pulling layer 3/7' });
    const screen = await screenUntil(out, (s) => s.some((l) => l.includes('pulling')));
    expect(screen.at(-1)).toBe('    › pulling layer 3/7');
    send(20, { type: 'node-end', item: 'a', task: 'prepare', status: 'done', attempts: 1, durationMs: 10 });
    await screenUntil(out, (s) => !s.some((l) => l.includes('pulling')));
    await reporter.finish(emptyResult, recap);
  });

  it("draws what a guest sent (retry reason, log line, failure, recap) escaped, and still in its own colours", async () => {
    const { out, reporter, send } = manual({ verbose: true }, false);
    send(0, { type: 'run-start', items: ['a'], tasks: ['prepare', 'start'] });
    send(10, { type: 'node-start', item: 'a', task: 'prepare', attempt: 1 }, { type: 'node-retry', item: 'a', task: 'prepare', attempt: 2, delayMs: 100, error: GUEST });
    await screenUntil(out, (s) => s.some((l) => l.includes('retrying')));
    send(110, { type: 'node-start', item: 'a', task: 'prepare', attempt: 2 }, { type: 'node-log', item: 'a', task: 'prepare', line: GUEST });
    await screenUntil(out, (s) => s.some((l) => l.includes('›')));
    send(120, { type: 'node-end', item: 'a', task: 'prepare', status: 'failed', attempts: 2, durationMs: 110, error: GUEST });
    const screen = await screenUntil(out, (s) => s.some((l) => l.includes('failed 0.1s')));
    expect(screen.at(-1)).toBe(`  ✖ prepare  failed 0.1s after 2 attempts · ${GUEST_SHOWN}`);
    send(130, { type: 'run-end', status: 'failed', counts: emptyCounts(), durationMs: 130 });
    await reporter.finish(failedRun(GUEST), recap);

    const output = out();
    for (const raw of ['\x1b]52', '\x07', '\x1b[2J', '\x1b[H', '\rowned', '\x9b']) expect(output).not.toContain(raw);
    for (const shown of [`· ${GUEST_SHOWN}`, `last: ${GUEST_SHOWN}`, `› ${GUEST_SHOWN}`]) expect(output).toContain(shown);
    expect(output).toContain(`\x1b[31m  a prepare: ${GUEST_SHOWN}\x1b[39m`);
    expect(output).toContain(`\x1b[33mretrying: attempt 2 in 0.1s · ${GUEST_SHOWN}\x1b[39m`);
  });
});

describe('a batch on the terminal display', () => {
  it('draws 100 bottles as one frame redrawn in place, never taller than maxLines, then a short recap with each reason once', async () => {
    const clock = new VirtualClock();
    const io = capture(true, 80);
    const frames: string[] = [];
    const streams = { ...io.streams, out: (text: string) => void (text.includes('\x1b[K') && frames.push(text), io.streams.out(text)) };
    const reporter = ttyReporter(streams, { verbose: false, now: () => clock.now(), frameMs: 1, maxLines: 22 });
    const result = await runBatch((e) => reporter.sink(e), clock);
    await reporter.finish(result, recap);

    // Every redraw: at most 22 lines written, over at most 22 lines gone back up.
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame.split('\n').length - 1).toBeLessThanOrEqual(22);
      expect(Number(/^\x1b\[(\d+)A/.exec(frame)?.[1] ?? 0)).toBeLessThanOrEqual(22);
    }
    const screen = screenOf(io.out());
    const blank = screen.indexOf('');
    expect(screen.slice(0, 3)).toEqual(['98/100 bottles ready · 2 failed', '                 done  running  waiting  failed  blocked', '  base-image    ✔   1']);
    expect(blank).toBe(16); // header, heading, 13 tasks, the failure line
    expect(screen.slice(blank)).toEqual([
      '',
      `Recap: failed in ${(result.durationMs / 1000).toFixed(1)}s`,
      '  98 bottles ok: 10 done each',
      '  (images)       3 done',
      '  agent-3-ab12c  3 done, 1 failed, 6 blocked',
      '  agent-9-ab12c  8 done, 1 failed, 1 blocked',
      'Failures:',
      '  agent-3-ab12c start-vm: port 8080 is already in use',
      '    log: /state/agent-3-ab12c/logs/start-vm.log',
      '  agent-9-ab12c ca: curl: (60) SSL certificate problem',
      '    log: /state/agent-9-ab12c/logs/ca.log',
    ]);
    // Not a frame drawn during the run printed a reason: each is in the output once, in the recap.
    for (const { message } of FAILURES) expect(io.out().split(message)).toHaveLength(2);
  });

  it('shows mid-run the counts per task, the running rows that fit, "ETA --" and then an estimate', async () => {
    const { out, reporter, send } = manual({ maxLines: 22 });
    send(0, { type: 'run-start', items: ['_run', ...BATCH], tasks: BATCH_TASKS });
    send(0, { type: 'node-start', item: '_run', task: 'base-image', attempt: 1 }, ...BATCH.slice(0, 30).map((item): EngineEvent => ({ type: 'node-start', item, task: 'prepare', attempt: 1 })));
    const early = await screenUntil(out, (s) => s.some((l) => l.startsWith('  … and')));
    expect(early.length).toBeLessThanOrEqual(22);
    expect(early.map(unspin).slice(0, 6)).toEqual([
      '0/100 bottles ready · 0 failed · elapsed 0s · ETA --',
      '                 done  running  waiting',
      '  base-image             *   1',
      '  agent-image                     ◌   ?',
      '  bundle-image                    ◌   ?',
      '  prepare                *  30    ◌  70',
    ]);
    // 22 lines: header, heading, 13 tasks, then 6 running rows and the rest counted.
    expect(early.map(unspin).slice(15)).toEqual([
      `  * ${'images'.padEnd(15)}  base-image    running 0.0s`,
      ...BATCH.slice(0, 5).map((b) => `  * ${b.padEnd(15)}  prepare       running 0.0s`),
      '  … and 25 more running',
    ]);

    send(2000, ...BATCH.slice(0, 10).map((item): EngineEvent => ({ type: 'node-end', item, task: 'prepare', status: 'done', attempts: 1, durationMs: 2000 })));
    const later = await screenUntil(out, (s) => /ETA \d/.test(s[0] ?? ''));
    // Work left (eta.ts): 90 prepares x 2 s less 20 x 2 s already run, base-image's 2 s already run, and 11 tasks not
    // seen yet x 100 bottles x 2 s (the mean of all); 2340 s of work with 31 nodes at once: 75.5 s, rounded up.
    expect(later[0]).toBe('0/100 bottles ready · 0 failed · elapsed 2s · ETA 1m16s');
    send(2100, { type: 'run-end', status: 'cancelled', counts: emptyCounts(), durationMs: 2100 });
    await reporter.finish(emptyResult, recap);
  });

  it('switches to the batch frame, for good, once the bottles and their running rows would not fit', async () => {
    const bottles = ['b0', 'b1', 'b2', 'b3'];
    const { out, reporter, send } = manual({ maxLines: 9 });
    send(0, { type: 'run-start', items: bottles, tasks: ['prepare', 'start', 'ready'] });
    send(10, ...bottles.map((item): EngineEvent => ({ type: 'node-start', item, task: 'prepare', attempt: 1 })));
    // 4 bottle lines and 4 rows fit in 9: the usual display.
    const usual = await screenUntil(out, (s) => s.length === 8);
    expect(unspin(usual[0]!)).toBe('* b0  1 running  0.0s');
    send(20, ...bottles.map((item): EngineEvent => ({ type: 'node-end', item, task: 'prepare', status: 'done', attempts: 1, durationMs: 10 })));
    send(20, ...bottles.flatMap((item): EngineEvent[] => [{ type: 'node-start', item, task: 'start', attempt: 1 }, { type: 'node-start', item, task: 'ready', attempt: 1 }]));
    // 4 bottles and 8 running rows would not fit: the batch frame, 9 lines at most.
    const batch = await screenUntil(out, (s) => s[0]?.startsWith('0/4 bottles ready') ?? false);
    expect(batch.length).toBeLessThanOrEqual(9);
    send(30, ...bottles.flatMap((item): EngineEvent[] => ['start', 'ready'].map((task) => ({ type: 'node-end', item, task, status: 'done', attempts: 1, durationMs: 10 }))));
    send(30, { type: 'run-end', status: 'ok', counts: emptyCounts(), durationMs: 30 });
    await reporter.finish(emptyResult, recap);
    // It does not switch back when it would fit again: the last frame is the batch's too.
    expect(screenOf(out())[0]).toBe('4/4 bottles ready · 0 failed');
    // Every frame drawn fitted.
    for (const frame of out().split(/(?=\x1b\[\d+A)/)) expect(frame.split('\x1b[K\n').length - 1).toBeLessThanOrEqual(9);
  });
});
