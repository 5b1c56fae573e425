/**
 * listr2's default renderer, kept for the frame it builds (the task tree,
 * nesting, what a task in each state shows) and changed where it would reach
 * for process globals: stock `render()` draws with log-update, which hides
 * the cursor on process.stderr and installs signal-exit handlers to show it
 * again, and `format()` reads process.stdout.columns. Here frames go to a
 * `Screen` over the reporter's streams on a timer that never keeps the
 * process alive, lines are cut to the reporter's width, and icons come from
 * the display's status table. It decides nothing about what to show: the
 * display may draw a frame of its own instead (tty-batch.ts).
 */
import { DefaultRenderer, type ListrDefaultRendererTask } from 'listr2';
import { fit } from './fit.js';
import type { Screen } from './tty-screen.js';

export interface FrameHooks {
  screen: Screen;
  /** The frame to draw: listr2's (built on demand), or one the display draws itself. */
  frame(listr: () => string): string;
  /** The icon (coloured) of one of the display's tasks; undefined for any other. */
  icon(task: ListrDefaultRendererTask): string | undefined;
  /** Before each timed frame: advance the spinner, update titles that show elapsed time. */
  tick(): void;
  frameMs: number;
}

/** A renderer class for `new Listr(.., { renderer })`: listr2 builds it itself, so the hooks come by closure. */
export function frameRenderer(hooks: FrameHooks) {
  return class FrameRenderer extends DefaultRenderer {
    /** The renderer was picked by cli/progress.ts; listr2 must not fall back by reading process.stdout.isTTY. */
    static override nonTTY = true;
    private timer: NodeJS.Timeout | undefined;

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
      hooks.screen.draw(hooks.frame(() => this.create()));
    }

    override end(): void {
      clearInterval(this.timer);
      hooks.tick();
      hooks.screen.end(hooks.frame(() => this.create({ prompt: false })));
    }

    protected override style(task: ListrDefaultRendererTask, output = false): string {
      return hooks.icon(task) ?? super.style(task, output);
    }

    /** One terminal line per line of a title (the first after the icon), cut to the reporter's width: never wrapped, as redraws count lines. */
    protected override format(message: string, icon: string, level: number): string[] {
      if (message.trim() === '') return [];
      const indent = ' '.repeat(level * 2);
      const room = Math.max(12, hooks.screen.columns - indent.length - 1);
      return message
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, i) => indent + fit(i === 0 && icon ? `${icon} ${line}` : `  ${line}`, room));
    }
  };
}
