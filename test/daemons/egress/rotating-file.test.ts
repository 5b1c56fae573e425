import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRotatingFile } from '../../../daemons/egress/rotating-file.js';
import { tempDir } from '../../state/temp-dir.js';

const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(n % 50) })}\n`;

/** The numbers of the lines in `path`, failing on a line that is not whole. */
async function numbersIn(path: string): Promise<number[]> {
  const text = await readFile(path, 'utf8');
  expect(text === '' || text.endsWith('\n'), path).toBe(true);
  return text.split('\n').filter(Boolean).map((entry) => (JSON.parse(entry) as { n: number }).n);
}

describe('openRotatingFile', () => {
  it('under a flood, keeps keep + 1 files of whole lines, each under maxBytes, the newest lines in the file itself', async () => {
    const dir = await tempDir();
    const path = join(dir, 'egress.jsonl');
    const errors: Error[] = [];
    const file = await openRotatingFile(path, { maxBytes: 4096, keep: 2, onError: (error) => errors.push(error) });
    for (let n = 0; n < 5000; n++) file.write(line(n));
    await file.close();

    expect((await readdir(dir)).sort()).toEqual(['egress.jsonl', 'egress.jsonl.1', 'egress.jsonl.2']);
    const [oldest, older, newest] = [await numbersIn(`${path}.2`), await numbersIn(`${path}.1`), await numbersIn(path)];
    for (const name of ['egress.jsonl', 'egress.jsonl.1', 'egress.jsonl.2']) expect((await stat(join(dir, name))).size).toBeLessThanOrEqual(4096);
    // Contiguous and in order across the files: nothing lost or reordered in the last three.
    const kept = [...oldest, ...older, ...newest];
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 5000 - kept.length + i));
    expect(newest.at(-1)).toBe(4999);
    expect(errors).toEqual([]);
  });

  it('counts what the file already holds, and rotates it first when the next line would not fit', async () => {
    const path = join(await tempDir(), 'egress.jsonl');
    await writeFile(path, `${'{"old":true}\n'.repeat(300)}`); // 3900 bytes
    const file = await openRotatingFile(path, { maxBytes: 4000, keep: 1, onError: () => undefined });
    file.write(`${JSON.stringify({ n: 1, pad: 'y'.repeat(200) })}\n`);
    await file.close();
    expect((await readFile(`${path}.1`, 'utf8')).split('\n').filter(Boolean)).toHaveLength(300);
    expect(await numbersIn(path)).toEqual([1]);
  });

  it('with keep 0, drops the full file instead of keeping it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'egress.jsonl');
    const file = await openRotatingFile(path, { maxBytes: 1024, keep: 0, onError: () => undefined });
    for (let n = 0; n < 200; n++) file.write(line(n));
    await file.close();
    expect(await readdir(dir)).toEqual(['egress.jsonl']);
    expect((await numbersIn(path)).at(-1)).toBe(199);
  });

  it('reports a rename that fails and goes on writing, losing no line', async () => {
    const dir = await tempDir();
    const path = join(dir, 'egress.jsonl');
    await mkdir(join(dir, 'egress.jsonl.1', 'in-the-way'), { recursive: true });
    const errors: Error[] = [];
    const file = await openRotatingFile(path, { maxBytes: 1024, keep: 1, onError: (error) => errors.push(error) });
    for (let n = 0; n < 100; n++) file.write(line(n));
    await file.close();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(await numbersIn(path)).toEqual(Array.from({ length: 100 }, (_, n) => n));
  });
});
