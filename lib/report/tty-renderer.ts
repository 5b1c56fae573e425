/**
 * listr2's default renderer, kept for what it does well (the task tree,
 * collapsing finished groups, the output bar) and changed where it would
 * reach for process globals: stock `render()` draws with log-update, which
 * hides the cursor on process.stderr and installs signal-exit handlers to
 * show it again, and `format()` reads process.stdout.columns. Here frames go
 * to a `Screen` over the reporter's streams, on a timer of our own that never
 * keeps the process alive, and icons come from the display's status table.
 */
import { DefaultRenderer, type ListrDefaultRendererTask, type ListrEventManager } from 'listr2';
import type { ListrDefaultRendererOptions } from 'listr2';
import { fit, type Screen } from './tty-screen.js';

export interface FrameHooks {
  screen: Screen;
  /** The icon (coloured) of one of the display's tasks; undefined for any other. */
  icon(task: ListrDefaultRendererTask): string | undefined;
  /** The icon before a line of a task's output. */
  outputIcon: string;
  /** Before each timed frame: advance the spinner, update titles that show elapsed time. */
  tick(): void;
  frameMs: number;
}

/** A renderer class for `new Listr(.., { renderer })`: listr2 builds it itself, so the hooks come by closure. */
export function frameRenderer(hooks: FrameHooks) {
  return class FrameRenderer extends DefaultRenderer {
    /** The renderer was picked by lib/cli/progress.ts; listr2 must not fall back by reading process.stdout.isTTY. */
    static override nonTTY = true;
    private timer: NodeJS.Timeout | undefined;

    constructor(tasks: ListrDefaultRendererTask[], options: ListrDefaultRendererOptions, events: ListrEventManager) {
      super(tasks, options, events);
    }

    override async render(): Promise<void> {
      this.update();
      this.timer = setInterval(() => {
        hooks.tick();
        this.update();
      }, hooks.frameMs);
      // Only the run keeps the process alive: a display whose run died must not hang it.
      this.timer.unref();
    }

    override update(): void {
      hooks.screen.draw(this.create());
    }

    override end(): void {
      clearInterval(this.timer);
      hooks.tick();
      hooks.screen.end(this.create({ prompt: false }));
    }

    protected override style(task: ListrDefaultRendererTask, output = false): string {
      if (output) return hooks.outputIcon;
      return hooks.icon(task) ?? super.style(task, output);
    }

    /** One terminal line per line of text, cut to the reporter's width (never wrapped: redraws count lines). */
    protected override format(message: string, icon: string, level: number): string[] {
      if (message.trim() === '') return [];
      const indent = ' '.repeat(level * 2);
      const room = Math.max(12, hooks.screen.columns - indent.length - 1);
      return message
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, i) => indent + fit(i === 0 && icon ? `${icon} ${line}` : `  ${line}`, room));
    }

    /** Output stays under its task: listr2 would send the output of a task with no title yet to a bottom bar. */
    protected override shouldOutputToBottomBar(): boolean {
      return false;
    }
  };
}
