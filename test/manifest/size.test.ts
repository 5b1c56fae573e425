import { describe, expect, it } from 'vitest';
import { DISK_MIB, formatMiB, MEMORY_MIB, parseSize } from '../../lib/manifest/index.js';

const FORMS = 'a number of MiB or a size such as "512m", "2g" or "2GiB" (units k, m, g, t, all binary)';

describe('parseSize', () => {
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
    [1048576, 1048576],
  ])('reads memory %j as %d MiB', (value, mib) => {
    expect(parseSize(value, MEMORY_MIB)).toStrictEqual({ ok: true, mib });
  });

  it.each<[number | string, string]>([
    ['2 bananas', `expected ${FORMS}, got string ("2 bananas")`],
    ['g', `expected ${FORMS}, got string ("g")`],
    ['', `expected ${FORMS}, got string ("")`],
    ['-512m', `expected ${FORMS}, got string ("-512m")`],
    ['512b', `expected ${FORMS}, got string ("512b")`],
    ['1e300', `expected ${FORMS}, got string ("1e300")`],
    [Number.POSITIVE_INFINITY, `expected ${FORMS}, got number (Infinity)`],
    [Number.NaN, `expected ${FORMS}, got number (NaN)`],
    ['64m', 'expected at least 128 MiB, got "64m" (64 MiB)'],
    ['0.1g', 'expected at least 128 MiB, got "0.1g" (102 MiB)'],
    [127, 'expected at least 128 MiB, got 127'],
    [-1, 'expected at least 128 MiB, got -1'],
    [1e300, 'expected at most 1 TiB, got 1e+300'],
    [1048577, 'expected at most 1 TiB, got 1048577'],
    ['1025g', 'expected at most 1 TiB, got "1025g" (1049600 MiB)'],
    ['99999999999t', 'expected at most 1 TiB, got "99999999999t" (104857599998951420 MiB)'],
    ['9'.repeat(400), `expected at most 1 TiB, got "${'9'.repeat(60)}…" (Infinity MiB)`],
  ])('refuses memory %j', (value, problem) => {
    expect(parseSize(value, MEMORY_MIB)).toStrictEqual({ ok: false, problem });
  });

  it('holds a disk between 1 GiB and 64 TiB', () => {
    expect(parseSize('1g', DISK_MIB)).toStrictEqual({ ok: true, mib: 1024 });
    expect(parseSize('64t', DISK_MIB)).toStrictEqual({ ok: true, mib: 64 * 1024 * 1024 });
    expect(parseSize('512m', DISK_MIB)).toStrictEqual({ ok: false, problem: 'expected at least 1 GiB, got "512m" (512 MiB)' });
    expect(parseSize('65t', DISK_MIB)).toStrictEqual({ ok: false, problem: 'expected at most 64 TiB, got "65t" (68157440 MiB)' });
  });
});

describe('formatMiB', () => {
  it.each<[number, string]>([
    [64, '64 MiB'],
    [1536, '1536 MiB'],
    [2048, '2 GiB'],
    [1048576, '1 TiB'],
    [1048576 + 1024, '1025 GiB'],
  ])('shows %d as %s', (mib, text) => {
    expect(formatMiB(mib)).toBe(text);
  });
});
