/**
 * Until bottles are placed on hosts, `bottle up` and `bottle task` refuse a
 * manifest whose hosts name another engine (exit 2, nothing started), and a
 * manifest whose only host is the local engine runs as one without hosts.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
});
afterEach(() => c.cleanup());

const REFUSAL =
  'bottle: spreading bottles over several Docker Engines is not built yet: host(s) b, d; `bottle hosts` checks them; ' +
  "remove them from `hosts:` (and any agent's `host:` naming them) to bring the bottles up on this engine\n";

describe('a manifest naming other engines', () => {
  beforeEach(async () => {
    await writeFile(
      join(c.dir, 'bottle.yaml'),
      'hosts:\n  local: { bottles: 2 }\n  b: { docker: "ssh://ops@b.example" }\n  d: { context: build-box }\n' +
        'bottles: { dev: {} }\nagents: { demo: { bottle: dev, host: local } }\n',
    );
  });

  it.each([
    ['up', ['up']],
    ['up --dry-run', ['up', '--dry-run', '--progress', 'json']],
    ['task', ['task', 'prepare', 'demo']],
  ])('is refused by bottle %s, exit 2, before anything runs', async (_what, argv) => {
    expect(await c.run(...argv)).toBe(2);
    expect(c.err).toBe(REFUSAL);
    expect(c.out).toBe('');
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });

  it('is refused when only an agent pin names the other engine', async () => {
    await writeFile(join(c.dir, 'bottle.yaml'), 'hosts:\n  c: { docker: "ssh://ops@c.example" }\nbottles: { dev: {} }\nagents: { demo: { bottle: dev, host: c } }\n');
    expect(await c.run('up')).toBe(2);
    expect(c.err).toMatch(/^bottle: spreading bottles over several Docker Engines is not built yet: host\(s\) c; /);
  });
});

describe('a manifest whose only host is the local engine', () => {
  it('plans as one without hosts', async () => {
    await writeFile(join(c.dir, 'bottle.yaml'), 'hosts: { local: { bottles: 20 } }\nplacement: pack\nbottles: { dev: {} }\nagents: { demo: { bottle: dev, host: local } }\n');
    expect(await c.run('up', '--dry-run', '--progress', 'json')).toBe(0);
    const lines = c.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.at(-1)?.type).toBe('plan-end');
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });
});
