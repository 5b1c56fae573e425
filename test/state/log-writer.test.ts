import { describe, it, expect, vi } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogWriter } from '../../lib/state/log-writer.js';
import { tempDir } from './temp-dir.js';

describe('createLogWriter', () => {
  it('appends lines in order, to the log of an earlier run', async () => {
    const root = await tempDir();
    const earlier = createLogWriter(root);
    earlier.log('demo', 'ca', 'old');
    await earlier.close();
    const logs = createLogWriter(root);
    for (let i = 0; i < 1000; i++) logs.log('demo', 'ca', `line ${i}`);
    await logs.close();
    const lines = (await readFile(join(root, 'demo', 'logs', 'ca.log'), 'utf8')).split('\n');
    expect(lines).toEqual(['old', ...Array.from({ length: 1000 }, (_, i) => `line ${i}`), '']);
  });

  it('starts afresh when attempt 1 begins again in the same run, after the lines before it', async () => {
    const root = await tempDir();
    const logs = createLogWriter(root);
    logs.log('demo', 'ca', 'first run');
    logs.beginAttempt('demo', 'ca', 1);
    logs.log('demo', 'ca', 'second run');
    await logs.close();
    expect(await readFile(join(root, 'demo', 'logs', 'ca.log'), 'utf8')).toBe('second run\n');
  });

  it('drops lines it cannot place, without throwing', async () => {
    const root = await tempDir();
    const logs = createLogWriter(root);
    expect(() => logs.log('../out', 'ca', 'x')).not.toThrow();
    expect(() => logs.log('demo', '../../out', 'x')).not.toThrow();
    expect(() => logs.beginAttempt('a/b', 'ca', 1)).not.toThrow();
    await logs.close();
    expect(await readdir(root)).toEqual([]);
  });

  it('drops lines logged after close', async () => {
    const root = await tempDir();
    const logs = createLogWriter(root);
    await logs.close();
    logs.log('demo', 'ca', 'late');
    expect(await readdir(root)).toEqual([]);
  });

  it('closes a node\'s log when the node ends, so thousands of nodes do not hold thousands of files', async () => {
    const root = await tempDir();
    const logs = createLogWriter(root);
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 1500; i++) {
      logs.log(`b${i}`, 'ca', 'line');
      logs.endTask(`b${i}`, 'ca');
    }
    // Every line is on disk (its file was opened) before the count is read.
    await vi.waitFor(async () => {
      for (let i = 0; i < 1500; i += 1) expect(await readFile(join(root, `b${i}`, 'logs', 'ca.log'), 'utf8')).toBe('line\n');
    }, { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect(open()).toBeLessThan(before + 20), { timeout: 5_000, interval: 50 });
    await logs.close();
    expect(await readFile(join(root, 'b1499', 'logs', 'ca.log'), 'utf8')).toBe('line\n');
  });

  it('appends a line logged after the node ended, after the lines before it', async () => {
    const root = await tempDir();
    const logs = createLogWriter(root);
    for (let i = 0; i < 100; i++) logs.log('demo', 'ca', `line ${i}`);
    logs.endTask('demo', 'ca');
    logs.log('demo', 'ca', 'late');
    logs.beginAttempt('demo', 'ca', 2);
    await logs.close();
    const lines = (await readFile(join(root, 'demo', 'logs', 'ca.log'), 'utf8')).split('\n');
    expect(lines).toEqual([...Array.from({ length: 100 }, (_, i) => `line ${i}`), 'late', '--- attempt 2 ---', '']);
  });
});
