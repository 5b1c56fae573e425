/**
 * Where the terminal display's frames go: a Writable over the reporter's
 * `out` (listr2's output is given it instead of process.stdout), and a frame
 * drawer that redraws in place by moving the cursor up over the previous
 * frame. It never hides the cursor: a process killed mid-run (a second Ctrl-C)
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

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/y;

/** `text` cut to `width` visible characters (escape sequences kept, closed with a reset when cut). */
export function fit(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    ANSI.lastIndex = i;
    const escape = ANSI.exec(text);
    if (escape) {
      out += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (visible === width - 1 && visibleLength(text.slice(i)) > 1) return close(`${out}…`);
    if (visible === width) return close(out);
    out += char;
    visible++;
    i += char.length;
  }
  return out;
}

/** A reset after a cut, so the colour of the cut part does not run on; none when nothing was coloured. */
function close(text: string): string {
  return text.includes('\x1b[') ? `${text}\x1b[0m` : text;
}

export function visibleLength(text: string): number {
  return [...text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')].length;
}

export class Screen {
  private lines = 0;
  private last = '';

  constructor(
    private readonly write: (text: string) => void,
    readonly columns: number,
  ) {}

  /** Replaces the previous frame with `frame`; the same frame again writes nothing. */
  draw(frame: string): void {
    if (frame === this.last) return;
    const up = this.lines > 0 ? `\x1b[${this.lines}A\r\x1b[J` : '';
    this.write(frame === '' ? up : `${up}${frame}\n`);
    this.lines = frame === '' ? 0 : frame.split('\n').length;
    this.last = frame;
  }

  /** Draws the last frame and leaves it on the terminal: what follows is written below it. */
  end(frame: string): void {
    this.draw(frame);
    this.lines = 0;
    this.last = '';
  }
}
