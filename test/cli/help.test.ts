/** Every command answers --help with its usage, exit 0, and touches nothing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

const COMMANDS = ['up', 'down', 'stop', 'start', 'status', 'ls', 'task', 'graph', 'exec', 'cp', 'port', 'claude', 'attach', 'git', 'inbox', 'answer', 'logs', 'allow', 'deny', 'doctor', 'check', 'hosts', 'validate', 'schema'];

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
});
afterEach(() => c.cleanup());

describe('--help', () => {
  it('lists every command at the top level', async () => {
    expect(await c.run('--help')).toBe(0);
    for (const command of COMMANDS) expect(c.out).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it.each(COMMANDS)('bottle %s --help prints its usage', async (command) => {
    expect(await c.run(command, '--help')).toBe(0);
    expect(c.out).toMatch(new RegExp(`^Usage: bottle ${command}\\b`));
    expect(c.err).toBe('');
  });
});
