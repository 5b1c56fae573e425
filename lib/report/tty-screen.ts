/**
 * Where the terminal display's frames go: a Writable over the reporter's
 * `out` (listr2's output is given it instead of process.stdout), and a frame
 * drawer that redraws in place by moving the cursor up over the previous
 * frame and writing over it. It never hides the cursor: a process killed mid-run (a second Ctrl-C)
 * would leave the user's terminal without one, and restoring it on exit takes
 * a signal handler, which a reporter may not install.
 */
import { Writable } from 'node:stream';

/** A Writable that hands each chunk to `write`, sized like the terminal it stands for. */
export function terminalStream(write: (text: string) => void, columns: number): NodeJS.WriteStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
  });
  // listr2 types its output as a WriteStream (a terminal); these are all it reads of one.
  return Object.assign(stream, { columns, rows: Infinity, isTTY: true }) as unknown as NodeJS.WriteStream;
}

export class Screen {
  private lines = 0;
  private last = '';

  constructor(
    private readonly write: (text: string) => void,
    readonly columns: number,
  ) {}

  /**
   * Replaces the previous frame with `frame`; the same frame again writes
   * nothing. Each line is overwritten and erased to its end (`\x1b[K`), and
   * only what the old frame had below the new one is erased to the end of
   * the screen (`\x1b[J`): an erase from the top-left corner is a screen clear
   * to tmux (scroll-on-clear) and others, which push the cleared screen into
   * the scrollback, so a frame drawn at the top of the screen would pile up
   * there, once per redraw.
   */
  draw(frame: string): void {
    if (frame === this.last) return;
    const lines = frame === '' ? [] : frame.split('\n');
    const up = this.lines > 0 ? `\x1b[${this.lines}A\r` : '';
    const body = lines.map((line) => `${line}\x1b[K\n`).join('');
    // Nothing drawn: blank the old lines one by one and come back up, not a clear from the corner.
    const rest = lines.length >= this.lines ? '' : lines.length > 0 ? '\x1b[J' : `${'\x1b[K\n'.repeat(this.lines)}\x1b[${this.lines}A`;
    if (up + body + rest !== '') this.write(up + body + rest);
    this.lines = lines.length;
    this.last = frame;
  }

  /** Draws the last frame and leaves it on the terminal: what follows is written below it. */
  end(frame: string): void {
    this.draw(frame);
    this.lines = 0;
    this.last = '';
  }
}
