/**
 * --allow-outside: every command that loads the manifest takes it, and a path
 * of the manifest that resolves outside the project is refused (exit 2) until
 * its directory is allowed. Runs the CLI in-process; nothing reaches docker.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';

let c: InProcessCli;
let outside: string;

beforeEach(async () => {
  c = await inProcessCli();
  outside = await mkdtemp(join(tmpdir(), 'bottle-outside-'));
  await writeFile(join(outside, 'secret.md'), 'not for the agent');
  await symlink(join(outside, 'secret.md'), join(c.dir, 'prompt.md'));
  await writeFile(join(c.dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev, promptFile: prompt.md } }\n');
});
afterEach(async () => {
  await c.cleanup();
  await rm(outside, { recursive: true, force: true });
});

describe('--allow-outside', () => {
  it('bottle validate refuses a prompt file that resolves outside, naming the key and the way out', async () => {
    expect(await c.run('validate')).toBe(2);
    expect(c.err).toMatch(/agents\.demo\.promptFile: "prompt\.md" \(.*\) resolves to .*secret\.md, which is outside the directories/);
    expect(c.err).toContain('move it inside the project or pass --allow-outside ');
  });

  it('bottle validate accepts it from an allowed directory, given absolute or relative to cwd', async () => {
    expect(await c.run('validate', '--allow-outside', outside)).toBe(0);
    await mkdir(join(c.dir, 'sub'));
    await writeFile(join(c.dir, 'own.md'), 'beside the project');
    await writeFile(join(c.dir, 'sub', 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev, promptFile: ../own.md } }\n');
    expect(await c.run('validate', '-f', 'sub/bottle.yaml')).toBe(2);
    expect(c.err).toContain('agents.demo.promptFile: "../own.md"');
    expect(await c.run('validate', '-f', 'sub/bottle.yaml', '--allow-outside', '.')).toBe(0);
  });

  it.each([
    ['up', ['up', 'nobody']],
    ['task', ['task', 'skills', 'nobody']],
  ])('bottle %s refuses the manifest without it and loads it with it', async (_command, argv) => {
    expect(await c.run(...argv)).toBe(2);
    expect(c.err).toContain('agents.demo.promptFile:');
    expect(await c.run(...argv, '--allow-outside', outside)).toBe(2);
    expect(c.err).toContain('no agent "nobody" in');
  });

  it.each(['up', 'task', 'validate'])('is in the help of bottle %s', async (command) => {
    expect(await c.run(command, '--help')).toBe(0);
    expect(c.out).toMatch(/--allow-outside DIR +let promptFile, skillsDir and skills resolve into DIR too \(repeatable\)/);
  });
});
