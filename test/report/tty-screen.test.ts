import { describe, expect, it } from 'vitest';
import { Screen, terminalStream } from '../../lib/report/tty-screen.js';

describe('Screen', () => {
  it('draws a frame, then replaces it in place, and skips a frame that did not change', () => {
    const writes: string[] = [];
    const screen = new Screen((t) => writes.push(t), 80);
    screen.draw('a\nb');
    screen.draw('a\nb');
    screen.draw('c');
    // Lines are written over and erased to their end; only the rows the shorter frame leaves are erased below.
    expect(writes).toEqual(['a\x1b[K\nb\x1b[K\n', '\x1b[2A\rc\x1b[K\n\x1b[J']);
  });

  it('never erases the screen from the top-left corner, which tmux would push into the scrollback', () => {
    const writes: string[] = [];
    const screen = new Screen((t) => writes.push(t), 80);
    screen.draw('a\nb');
    screen.draw('c\nd\ne');
    screen.draw('');
    expect(writes).toEqual(['a\x1b[K\nb\x1b[K\n', '\x1b[2A\rc\x1b[K\nd\x1b[K\ne\x1b[K\n', '\x1b[3A\r\x1b[K\n\x1b[K\n\x1b[K\n\x1b[3A']);
  });

  it('leaves the last frame for what follows, which starts below it', () => {
    const writes: string[] = [];
    const screen = new Screen((t) => writes.push(t), 80);
    screen.draw('x');
    screen.end('y');
    screen.draw('after');
    expect(writes).toEqual(['x\x1b[K\n', '\x1b[1A\ry\x1b[K\n', 'after\x1b[K\n']);
  });
});

describe('terminalStream', () => {
  it('hands what is written to it to the given function, and tells its width', async () => {
    const seen: string[] = [];
    const stream = terminalStream((t) => seen.push(t), 120);
    stream.write('one');
    stream.write(Buffer.from('two'));
    expect(seen).toEqual(['one', 'two']);
    expect(stream.columns).toBe(120);
  });
});
