/**
 * `bottle up --dry-run` in-process: the plan for every bottle (with --count
 * copies), and nothing created anywhere.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main.js';
import { UP_TASKS } from '../../graphs/up.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bottle-dry-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bottle up --dry-run', () => {
  it('plans every task of every copy (--count), runs nothing and creates nothing', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
    let out = '';
    const code = await main(['up', '-n', '2', '--dry-run', '--progress', 'json'], {
      env: { ...process.env, BOTTLE_STATE_DIR: join(dir, 'state') },
      cwd: dir,
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      signal: new AbortController().signal,
      isTTY: false,
    });
    expect(code).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    const bottles = [...new Set(lines.filter((l) => l.type === 'plan' && l.bottle !== '_run').map((l) => l.bottle))];
    expect(bottles.map((b) => b.replace(/-[0-9a-f]{5}$/, ''))).toEqual(['demo-1', 'demo-2']);
    const perBottle = UP_TASKS.filter((t) => t.scope !== 'run').length;
    const images = UP_TASKS.length - perBottle;
    expect(lines.at(-1)).toEqual({ v: 1, type: 'plan-end', run: 2 * perBottle + images, upToDate: 0 });
    expect(lines.filter((l) => l.type === 'plan').every((l) => l.action === 'run' && l.reason === 'never run')).toBe(true);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });
});
