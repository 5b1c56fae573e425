/**
 * `bottle up --dry-run` on a smolvm manifest prints the exact smolvm commands
 * a fresh up runs — recorded by the smolvm backend's recording runner, never
 * run — and creates no state.
 */
import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
});
afterEach(() => c.cleanup());

describe('bottle up --dry-run on smolvm', () => {
  it('lists the smolvm commands in order, attributed to their tasks', async () => {
    await cp(join(REPO, 'examples', 'skills'), join(c.dir, 'skills'), { recursive: true });
    await writeFile(join(c.dir, 'bottle.yaml'), 'bottles:\n  vm: { backend: smolvm }\nagents:\n  demo: { bottle: vm, prompt: hello, skills: [review] }\n');
    expect(await c.run('up', '--dry-run', '--progress', 'json')).toBe(0);
    const lines = c.out.trim().split('\n').map((l) => JSON.parse(l));
    const commands = lines.filter((l) => l.type === 'command');
    const smolvm = commands.filter((l) => l.argv[0] === 'smolvm').map((l) => `${l.task}: ${l.argv.slice(1, 3).join(' ')}`);
    const slug = lines.find((l) => l.type === 'plan' && l.bottle !== '_run').bottle;
    const machine = `claude-bottle-${slug}`;
    expect(smolvm.indexOf('daemons: machine create')).toBeLessThan(smolvm.indexOf('start-vm: machine create'));
    const agentCreate = commands.find((l) => l.task === 'start-vm' && l.argv[2] === 'create')!.argv;
    expect(agentCreate.slice(3, 5)).toEqual(['--name', machine]);
    expect(agentCreate.join(' ')).toContain('--net-backend virtio-net --network ' + machine + ' --allow-cidr 100.96.1.2/32');
    // A new machine gets every file of the bottle with it: archives made on the host, each staged in a
    // fresh directory of root's (home files as the user; the CA as root); the tasks after it write nothing more.
    const copies = commands.filter((l) => l.argv[2] === 'cp');
    expect(copies.map((l) => l.task)).toEqual(['start-vm', 'start-vm', 'start-vm']);
    expect(copies[0]!.argv.slice(0, 5)).toEqual([
      'smolvm', 'machine', 'cp', expect.stringMatching(/\/files\.tar$/), expect.stringMatching(new RegExp(`^${machine}:/tmp/\\.bot-bottle-[0-9a-f]{16}/files\\.tar$`)),
    ]);
    expect(existsSync(join(c.dir, 'state'))).toBe(false);
  });
});
