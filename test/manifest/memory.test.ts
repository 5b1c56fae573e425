import { describe, expect, it } from 'vitest';
import { parseMemory } from '../../lib/manifest/index.js';

describe('parseMemory', () => {
  it.each<[number | string, number]>([
    [512, 512],
    [128.9, 128],
    ['300', 300],
    ['512m', 512],
    ['512M', 512],
    ['512MiB', 512],
    ['512mb', 512],
    ['2g', 2048],
    ['2GB', 2048],
    ['2GiB', 2048],
    ['2gib', 2048],
    ['1.5g', 1536],
    [' 256 MB ', 256],
    ['131072k', 128],
    ['1t', 1024 * 1024],
  ])('reads %j as %d MiB', (value, mib) => {
    expect(parseMemory(value)).toStrictEqual({ ok: true, mib });
  });

  const FORMS = 'a number of MiB or a size such as "512m", "2g" or "2GiB" (units k, m, g, t, all binary)';

  it.each<[number | string, string]>([
    ['2 bananas', `expected ${FORMS}, got string ("2 bananas")`],
    ['g', `expected ${FORMS}, got string ("g")`],
    ['', `expected ${FORMS}, got string ("")`],
    ['-512m', `expected ${FORMS}, got string ("-512m")`],
    ['512b', `expected ${FORMS}, got string ("512b")`],
    [Number.POSITIVE_INFINITY, `expected ${FORMS}, got number (Infinity)`],
    ['64m', 'expected at least 128 MiB, got "64m" (64 MiB)'],
    ['0.1g', 'expected at least 128 MiB, got "0.1g" (102 MiB)'],
    [127, 'expected at least 128 MiB, got 127'],
    [-1, 'expected at least 128 MiB, got -1'],
  ])('refuses %j', (value, problem) => {
    expect(parseMemory(value)).toStrictEqual({ ok: false, problem });
  });
});
