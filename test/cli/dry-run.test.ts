/**
 * `bottle up --dry-run` in-process: the plan for every bottle (with --count
 * copies), and nothing created anywhere.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UP_TASKS } from '../../graphs/up.js';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
});
afterEach(() => c.cleanup());

describe('bottle up --dry-run', () => {
  it('plans every task of every copy (--count), runs nothing and creates nothing', async () => {
    await writeFile(join(c.dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
    expect(await c.run('up', '-n', '2', '--dry-run', '--progress', 'json')).toBe(0);
    const lines = c.out.trim().split('\n').map((l) => JSON.parse(l));
    const bottles = [...new Set(lines.filter((l) => l.type === 'plan' && l.bottle !== '_run').map((l) => l.bottle))];
    expect(bottles.map((b) => b.replace(/-[0-9a-f]{5}$/, ''))).toEqual(['demo-1', 'demo-2']);
    const perBottle = UP_TASKS.filter((t) => t.scope !== 'run').length;
    const images = UP_TASKS.length - perBottle;
    expect(lines.at(-1)).toEqual({ v: 1, type: 'plan-end', run: 2 * perBottle + images, upToDate: 0 });
    expect(lines.filter((l) => l.type === 'plan').every((l) => l.action === 'run' && l.reason === 'never run')).toBe(true);
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });
});
