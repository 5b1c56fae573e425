/**
 * A followed file on real disk, polled every 10 ms: the test waits for the
 * change callbacks (never on time) and a deadline fails a change that is
 * never seen.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LiveFile } from '../../../daemons/egress/live-file.js';
import { openLiveFile } from '../../../daemons/egress/live-file.js';
import { tempDir } from '../../state/temp-dir.js';
import { collectMessages, replaceFile } from './replace-file.js';

/** Parses `{ "n": <number> }`; anything else throws, naming what was wrong. */
async function readNumber(path: string): Promise<number> {
  const value = JSON.parse(await readFile(path, 'utf8')) as { n?: unknown };
  if (typeof value.n !== 'number') throw new Error(`n is not a number in ${path}`);
  return value.n;
}

async function follow(initial: unknown) {
  const path = join(await tempDir(), 'followed.json');
  await replaceFile(path, initial);
  const changes = collectMessages();
  const errors = collectMessages();
  const live: LiveFile<number> = await openLiveFile(path, {
    read: readNumber,
    onChange: (value) => changes.say(String(value)),
    onError: (error) => errors.say(error.message),
    intervalMs: 10,
  });
  onTestFinished(() => live.close());
  return { path, live, changes, errors };
}

describe('openLiveFile', () => {
  it('reads the file at start, then takes each change', async () => {
    const { path, live, changes } = await follow({ n: 1 });
    expect(live.current()).toBe(1);
    expect(live.path).toBe(path);

    let changed = changes.next();
    await replaceFile(path, { n: 2 });
    expect(await changed).toBe('2');
    expect(live.current()).toBe(2);

    changed = changes.next();
    await replaceFile(path, { n: 3 });
    expect(await changed).toBe('3');
    expect(live.current()).toBe(3);
  });

  it('keeps the previous value when the file changes to one that does not parse, says so once, and takes the next good one', async () => {
    const { path, live, changes, errors } = await follow({ n: 1 });

    const failed = errors.next();
    await replaceFile(path, { n: 'two' });
    expect(await failed).toBe(`n is not a number in ${path}`);
    expect(live.current()).toBe(1);

    const changed = changes.next();
    await replaceFile(path, { n: 4 });
    expect(await changed).toBe('4');
    // Polled many times meanwhile: the bad change was reported once only.
    expect(errors.all).toHaveLength(1);
    expect(changes.all).toEqual(['4']);
  });

  it('keeps the value while the file is missing, says so once, and takes it back when it returns', async () => {
    const { path, live, changes, errors } = await follow({ n: 1 });

    const failed = errors.next();
    await rm(path);
    expect(await failed).toMatch(/ENOENT/);
    expect(live.current()).toBe(1);

    const changed = changes.next();
    await replaceFile(path, { n: 5 });
    expect(await changed).toBe('5');
    expect(errors.all).toHaveLength(1);
  });

  it('fails to open a file that is missing or does not parse', async () => {
    const dir = await tempDir();
    const options = { read: readNumber, onError: () => undefined };
    await expect(openLiveFile(join(dir, 'missing.json'), options)).rejects.toThrow(/ENOENT/);
    const bad = join(dir, 'bad.json');
    await replaceFile(bad, { n: null });
    await expect(openLiveFile(bad, options)).rejects.toThrow(`n is not a number in ${bad}`);
  });
});
