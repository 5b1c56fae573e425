/**
 * The terminal display of `bottle up`, drawn by listr2: one listr2 task per
 * bottle (and "images" for `_run`) whose subtasks are its nodes. The engine
 * is not run by listr2: each event updates the model (tty-model.ts) and the
 * listr2 tasks mirror it — a row's title appears once an event names its
 * node; a bottle's task completes once all its nodes ended. Which rows show
 * is decided here, by title ('' hides one; tty-look.ts `isRowShown`): all of
 * an open bottle, none of a finished one (it is one line), except the tasks
 * Ctrl-C cut short; past a screenful, open bottles show only what moves or
 * failed. When even that does not fit `maxLines` (a batch: `bottle up -n
 * 100`), the display draws tty-batch.ts's frame instead of listr2's: counts
 * per task, the running rows that fit, an ETA. It switches once, at the
 * start when the bottles alone would not fit, else at the first frame that
 * would not, and never back: a frame that jumps between two layouts reads
 * worse than either. listr2 still runs the tasks then; its frame is not built
 * (nor is --verbose's last log line under a running row: a batch has no room).
 *
 * It writes only through the given streams, respects `noColor`, and touches
 * no process global (no signal handlers, no exit, no process.stdout). Task
 * failures are states here, never listr2 errors: every listr2 task completes,
 * and `finish` does not throw them.
 */
import { Listr, ListrLogger, ProcessOutput, Spinner, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { EngineEvent, RunResult, Status } from '../engine/index.js';
import { recapLines } from './recap.js';
import { terminalText } from './terminal-text.js';
import type { Reporter, ReporterStreams } from './reporter.js';
import { collapsedLine, groupName, groupStatus, isCompact, isRowShown, LOOK, openLine, paintRecap, painter, rowLine, type Paint, type RowMode } from './tty-look.js';
import { applyEvent, emptyModel, isEnd, lastEnd, type Change, type Group, type Model } from './tty-model.js';
import { frameRenderer } from './tty-renderer.js';
import { Screen, terminalStream } from './tty-screen.js';
import { batchFrame, isBatch } from './tty-batch.js';

export interface TtyOptions {
  verbose: boolean;
  /** Milliseconds, for elapsed times; injected by tests. */
  now?: () => number;
  /** Time between frames. */
  frameMs?: number;
  /**
   * Lines the display may take (default 22: a 24-line terminal). Past it open
   * bottles show only their running and failed rows; a frame that would still
   * not fit makes it a batch display.
   */
  maxLines?: number;
}

export function ttyReporter(streams: ReporterStreams, options: TtyOptions): Reporter {
  const now = options.now ?? (() => performance.now());
  const model = emptyModel();
  let display: Display | undefined;
  return {
    sink(event: EngineEvent) {
      const change = applyEvent(model, event, now());
      if (event.type === 'run-start') display = new Display(model, streams, options, now);
      display?.apply(change);
    },
    async finish(result: RunResult, recap) {
      await display?.close(result);
      const paint = painter(streams.noColor);
      if (display) streams.out('\n');
      for (const line of paintRecap(recapLines(result, recap), result.status, paint)) streams.out(`${line}\n`);
    },
  };
}

/** What a listr2 task function is handed. */
type Handle = ListrTaskWrapper<unknown, any, any>;

interface Settle {
  promise: Promise<void>;
  resolve(): void;
  settled: boolean;
}

interface RowView {
  item: string;
  task: string;
  handle?: Handle;
  end: Settle;
}

interface GroupView {
  group: Group;
  handle?: Handle;
}

class Display {
  private readonly paint: Paint;
  private readonly spinner = new Spinner();
  private readonly groupViews = new Map<string, GroupView>();
  private readonly rowViews = new Map<string, RowView>();
  /** listr2 task id -> what its icon shows. */
  private readonly icons = new Map<string, () => string>();
  private readonly nameWidth: number;
  private readonly taskWidth: number;
  private readonly run: Promise<unknown>;
  private readonly maxLines: number;
  private readonly columns: number;
  private compact = false;
  /** Drawing tty-batch.ts's frame instead of listr2's; once set, for the rest of the run. */
  private batch: boolean;

  constructor(
    private readonly model: Model,
    streams: ReporterStreams,
    private readonly options: TtyOptions,
    private readonly now: () => number,
  ) {
    this.paint = painter(streams.noColor);
    const columns = (this.columns = streams.columns ?? 80);
    this.maxLines = options.maxLines ?? 22;
    this.batch = isBatch(model, this.maxLines);
    const output = new ProcessOutput(terminalStream(streams.out, columns), terminalStream(streams.err, columns));
    const screen = new Screen((text) => output.toStdout(text, false), columns);
    this.nameWidth = Math.max(0, ...[...model.groups.keys()].map((item) => groupName(item).length));
    this.taskWidth = Math.min(24, Math.max(0, ...model.tasks.map((t) => t.length)));
    const Renderer = frameRenderer({
      screen,
      frame: (listr) => this.frame(listr),
      icon: (task) => this.icons.get(task.id)?.(),
      tick: () => this.tick(),
      frameMs: options.frameMs ?? 100,
    });
    const groups = [...model.groups.values()];
    const listr = new Listr<unknown, typeof Renderer>(
      groups.map((group) => this.groupTask(group)),
      {
        concurrent: true,
        exitOnError: false,
        collectErrors: false,
        registerSignalListeners: false,
        renderer: Renderer,
        rendererOptions: {
          logger: new ListrLogger({ processOutput: output }),
          spinner: this.spinner,
          // What a finished bottle shows is decided by the rows' titles, not by listr2.
          collapseSubtasks: false,
        },
      },
    );
    listr.tasks.forEach((t, i) => this.icons.set(t.id, () => this.iconOf(groupStatus(groups[i]!))));
    this.run = listr.run();
  }

  apply(change: Change): void {
    if (this.recompact()) return;
    for (const row of change.rows) this.syncRow(row.item, row.task);
    for (const group of new Set([...change.groups, ...change.finished])) {
      const view = this.groupViews.get(group.item);
      if (view) this.syncGroup(view);
    }
    for (const group of change.finished) for (const task of this.model.tasks) this.syncRow(group.item, task);
  }

  /** Waits for listr2's last frame; nodes the events never ended are ended from the result. */
  async close(result: RunResult): Promise<void> {
    if (!this.model.over) {
      for (const node of result.nodes.values()) {
        const row = this.model.groups.get(node.item)?.rows.get(node.task);
        if (row && isEnd(row.status)) continue;
        this.apply(
          applyEvent(
            this.model,
            {
              type: 'node-end',
              item: node.item,
              task: node.task,
              status: node.status,
              attempts: node.record.attempts,
              durationMs: node.record.durationMs,
              ...(node.record.error ? { error: node.record.error.message } : {}),
            },
            this.now(),
          ),
        );
      }
      this.apply(applyEvent(this.model, { type: 'run-end', status: result.status, counts: result.counts, durationMs: result.durationMs }, this.now()));
    }
    await this.run.catch(() => {});
  }

  /** A bottle: its subtasks are one per task id of the graph; those that are not its nodes never show. */
  private groupTask(group: Group): ListrTask<unknown, any, any> {
    const view: GroupView = { group };
    this.groupViews.set(group.item, view);
    return {
      title: openLine(group, 0, this.nameWidth, this.paint),
      task: (_ctx, handle) => {
        view.handle = handle;
        this.syncGroup(view);
        const tasks = this.model.tasks;
        const rows = handle.newListr(
          tasks.map((task) => this.rowTask(group.item, task)),
          { concurrent: true, exitOnError: false },
        );
        rows.tasks.forEach((t, i) => this.icons.set(t.id, () => this.iconOf(group.rows.get(tasks[i]!)?.status ?? 'pending')));
        return rows;
      },
    };
  }

  /** A node: no title (so not drawn) until an event names it; settles with its bottle. */
  private rowTask(item: string, task: string): ListrTask<unknown, any, any> {
    const view: RowView = { item, task, end: settle() };
    this.rowViews.set(`${item}/${task}`, view);
    return {
      task: async (_ctx, handle) => {
        view.handle = handle;
        this.syncRow(item, task);
        await view.end.promise;
      },
    };
  }

  /**
   * Brings a row's listr2 task up to the model: its title ('' hides it) and,
   * once its bottle finished, its end. Rows settle with their bottle, not with
   * their node: listr2 freezes what a closed task drew, and a row must still
   * be hidden when the display gets compact or its bottle collapses.
   */
  private syncRow(item: string, task: string): void {
    const view = this.rowViews.get(`${item}/${task}`);
    const group = this.model.groups.get(item);
    if (!view?.handle || !group || view.end.settled) return;
    const row = group.rows.get(task);
    let title = row && isRowShown(row, this.rowMode(group)) ? rowLine(row, this.now(), this.taskWidth, this.paint) : '';
    // With --verbose, the last line a running task logged shows under it.
    if (title && this.options.verbose && row?.status === 'running' && row.lastLine) title += `\n${this.paint('dim', `› ${terminalText(row.lastLine)}`)}`;
    setIfChanged(view.handle, 'title', title);
    if (group.endedAt !== undefined) view.end.resolve();
  }

  private rowMode(group: Group): RowMode {
    if (group.endedAt !== undefined) return 'interrupted';
    return this.compact ? 'moving' : 'all';
  }

  private syncGroup(view: GroupView): void {
    if (!view.handle) return;
    const { group } = view;
    const title =
      group.endedAt === undefined
        ? openLine(group, this.now() - this.model.startedAt, this.nameWidth, this.paint)
        : collapsedLine(group, lastEnd(group) - this.model.startedAt, this.nameWidth, this.paint);
    setIfChanged(view.handle, 'title', title);
  }

  /** Switches between all rows and only the moving ones; on a switch every row is brought up to date. */
  private recompact(): boolean {
    const compact = isCompact(this.model, this.maxLines);
    if (compact === this.compact) return false;
    this.compact = compact;
    for (const view of this.rowViews.values()) this.syncRow(view.item, view.task);
    for (const view of this.groupViews.values()) this.syncGroup(view);
    return true;
  }

  /** What to draw: listr2's frame while it fits, else (from then on) the batch frame. */
  private frame(listr: () => string): string {
    if (!this.batch) {
      const frame = listr();
      if (frame.split('\n').length <= this.maxLines) return frame;
      this.batch = true;
    }
    return batchFrame(this.model, this.now(), { maxLines: this.maxLines, columns: this.columns, paint: this.paint, spinner: this.spinner.fetch() ?? LOOK.running.icon }).join('\n');
  }

  /** Each frame: spin, and refresh what shows elapsed time (running rows, open bottles); listr2's titles are not drawn in a batch. */
  private tick(): void {
    this.spinner.spin();
    if (this.batch) return;
    for (const view of this.groupViews.values()) {
      if (view.group.endedAt !== undefined) continue;
      this.syncGroup(view);
      for (const row of view.group.rows.values()) if (row.status === 'running' || row.status === 'retrying') this.syncRow(row.item, row.task);
    }
  }

  private iconOf(status: Status): string {
    const look = LOOK[status];
    return this.paint(look.colour, look.spins ? (this.spinner.fetch() ?? look.icon) : look.icon);
  }
}

function settle(): Settle {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  const s: Settle = {
    promise,
    settled: false,
    resolve: () => {
      s.settled = true;
      resolve();
    },
  };
  return s;
}

function setIfChanged(handle: Handle, key: 'title', value: string): void {
  if (handle[key] !== value) handle[key] = value;
}
