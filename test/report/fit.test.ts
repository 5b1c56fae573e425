import { describe, expect, it } from 'vitest';
import { fit, padVisible, visibleLength } from '../../lib/report/fit.js';

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

describe('padVisible', () => {
  it('pads to a width of visible characters, not counting colour', () => {
    expect(padVisible('\x1b[32mok\x1b[39m', 4)).toBe('\x1b[32mok\x1b[39m  ');
    expect(padVisible('longer', 3)).toBe('longer');
  });
});
