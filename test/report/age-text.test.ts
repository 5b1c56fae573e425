/** `bottle ls`'s CREATED column says an age the way `docker ps` does. */
import { describe, expect, it } from 'vitest';
import { ageText } from '../../lib/report/age-text.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('ageText', () => {
  it.each([
    [0, 'Less than a second ago'],
    [999, 'Less than a second ago'],
    [1 * s, '1 second ago'],
    [59 * s, '59 seconds ago'],
    [60 * s, 'About a minute ago'],
    [119 * s, 'About a minute ago'],
    [3 * m, '3 minutes ago'],
    [59 * m + 59 * s, '59 minutes ago'],
    [60 * m, 'About an hour ago'],
    [89 * m, 'About an hour ago'],
    [90 * m, '2 hours ago'],
    [47 * h, '47 hours ago'],
    [48 * h, '2 days ago'],
    [13 * d, '13 days ago'],
    [14 * d, '2 weeks ago'],
    [59 * d, '8 weeks ago'],
    [60 * d, '2 months ago'],
    [729 * d, '24 months ago'],
    [730 * d, '2 years ago'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(ageText(ms)).toBe(text);
  });

  it('reads a time in the future (another clock) as just now', () => {
    expect(ageText(-5 * m)).toBe('Less than a second ago');
  });
});
