/** `bottle up -n`: a copy named like an agent of the manifest is refused, exit 2, before anything starts. */
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

describe('bottle up --count', () => {
  it('refuses a copy whose name is that of another agent, saying which and what to do', async () => {
    await writeFile(join(c.dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { a: { bottle: dev }, a-2: { bottle: dev } }\n');
    expect(await c.run('up', '-n', '2', 'a')).toBe(2);
    expect(c.err).toBe(
      `bottle: --count would name a copy of agent "a" "a-2", but ${join(c.dir, 'bottle.yaml')} has an agent "a-2"; ` +
        'rename one of the two agents, or bring "a" up without --count\n',
    );
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });
});
