/**
 * `up --host` names hosts of the manifest: another name is a usage error
 * (exit 2) before anything is placed or made; a host of the manifest plans
 * its bottles there.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
  await writeFile(join(c.dir, 'bottle.yaml'), 'hosts: { laptop: { bottles: 4 } }\nplacement: pack\nbottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
});
afterEach(() => c.cleanup());

describe('up --host', () => {
  it('refuses a host the manifest does not name, exit 2, nothing made', async () => {
    expect(await c.run('up', '--host', 'gpu-box', '--dry-run')).toBe(2);
    expect(c.err).toBe('bottle: --host gpu-box: no host "gpu-box"; hosts: laptop\n');
    expect(c.out).toBe('');
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });

  it('plans the bottles on a host it names, saying where', async () => {
    expect(await c.run('up', '--host', 'laptop', '--dry-run', '--progress', 'json')).toBe(0);
    expect(c.err).toMatch(/^bottle: on host laptop: demo$/m);
    const lines = c.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.at(-1)?.type).toBe('plan-end');
  });
});
