import { describe, expect, it } from 'vitest';
import { fit, Screen, terminalStream, visibleLength } from '../../lib/report/tty-screen.js';

describe('fit', () => {
  it('leaves a line that fits alone and cuts a longer one with an ellipsis', () => {
    expect(fit('short', 10)).toBe('short');
    expect(fit('0123456789', 10)).toBe('0123456789');
    expect(fit('0123456789ab', 10)).toBe('012345678…');
  });

  it('counts only visible characters, keeps escapes and resets colour after a cut', () => {
    const red = '\x1b[31mfailed: a long reason\x1b[39m';
    expect(fit(red, 30)).toBe(red);
    const cut = fit(red, 8);
    expect(cut).toBe('\x1b[31mfailed:…\x1b[0m');
    expect(visibleLength(cut)).toBe(8);
  });
});

describe('Screen', () => {
  it('draws a frame, then replaces it in place, and skips a frame that did not change', () => {
    const writes: string[] = [];
    const screen = new Screen((t) => writes.push(t), 80);
    screen.draw('a\nb');
    screen.draw('a\nb');
    screen.draw('c');
    expect(writes).toEqual(['a\nb\n', '\x1b[2A\r\x1b[Jc\n']);
  });

  it('leaves the last frame for what follows, which starts below it', () => {
    const writes: string[] = [];
    const screen = new Screen((t) => writes.push(t), 80);
    screen.draw('x');
    screen.end('y');
    screen.draw('after');
    expect(writes).toEqual(['x\n', '\x1b[1A\r\x1b[Jy\n', 'after\n']);
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
