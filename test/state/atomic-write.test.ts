import { describe, it, expect } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/state/atomic-write.js';
import { modeOf, tempDir } from './temp-dir.js';

describe('writeFileAtomic', () => {
  it('creates the file, then replaces its content', async () => {
    const dir = await tempDir();
    const path = join(dir, 'record.json');
    await writeFileAtomic(path, 'first');
    expect(await readFile(path, 'utf8')).toBe('first');
    await writeFileAtomic(path, Buffer.from('second'));
    expect(await readFile(path, 'utf8')).toBe('second');
  });

  it('leaves no temp file behind', async () => {
    const dir = await tempDir();
    const path = join(dir, 'record.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(path, `v${i}`)));
    expect(await readdir(dir)).toEqual(['record.json']);
    expect(await readFile(path, 'utf8')).toMatch(/^v\d+$/);
  });

  it('applies the mode, 0600 by default, also over a file that had another', async () => {
    const dir = await tempDir();
    await writeFileAtomic(join(dir, 'a'), 'x');
    expect(await modeOf(join(dir, 'a'))).toBe(0o600);
    await writeFile(join(dir, 'b'), 'old', { mode: 0o644 });
    await writeFileAtomic(join(dir, 'b'), 'new', 0o640);
    expect(await modeOf(join(dir, 'b'))).toBe(0o640);
  });

  it('removes its temp file and rejects when the rename fails', async () => {
    const dir = await tempDir();
    const target = join(dir, 'taken');
    await mkdir(join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['taken']);
  });
});
