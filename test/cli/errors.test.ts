/**
 * What a user sees when they get something wrong: one clear sentence on stderr
 * and exit code 2, and nothing created. Runs the CLI in-process.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';
import { GUEST, GUEST_SHOWN, RAW_CONTROL } from '../report/hostile.js';

let c: InProcessCli;
let dir: string;
const cli = (...argv: string[]) => c.run(...argv);

beforeEach(async () => {
  c = await inProcessCli();
  dir = c.dir;
});
afterEach(() => c.cleanup());

describe('bottle CLI errors', () => {
  it('names an unknown command and lists the commands', async () => {
    expect(await cli('upp')).toBe(2);
    expect(c.err).toBe('bottle: unknown command "upp"; commands: up, down, stop, start, status, ls, task, graph, exec, cp, port, claude, attach, git, inbox, answer, logs, allow, deny, doctor, check, hosts, validate, schema\n');
  });

  it('says how to call git, inbox and answer when they are called wrong, and on bottles that are not up', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles:\n  dev: {}\nagents:\n  demo: { bottle: dev }\n');
    expect(await cli('git', 'push')).toBe(2);
    expect(c.err).toBe('bottle: unknown `bottle git` command "push"; use fetch or log\n');
    expect(await cli('git', 'log', 'a', 'b')).toBe(2);
    expect(c.err).toBe('bottle: bottle git log takes one agent, got 2: a, b\n');
    expect(await cli('git', 'fetch', 'demo')).toBe(2);
    expect(c.err).toMatch(/agent "demo" has no bottle from .*; run `bottle up demo` first/);
    expect(await cli('answer', 'demo', '1')).toBe(2);
    expect(c.err).toContain('give the agent, the question id and the answer');
    expect(await cli('inbox', 'nobody')).toBe(2);
    expect(c.err).toContain('agent "nobody" has no bottle');
    expect(await cli('inbox')).toBe(0);
    expect(c.out).toContain('no bottles of this manifest have been brought up');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('refuses a --limit it does not know, or out of range, before anything runs', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles:\n  dev: {}\nagents:\n  demo: { bottle: dev }\n');
    expect(await cli('up', '--limit', 'docker=2')).toBe(2);
    expect(c.err).toBe('bottle: --limit takes NAME=N with NAME one of docker-build, backend, cpu, got "docker=2"\n');
    expect(await cli('up', '--limit', 'backend=0')).toBe(2);
    expect(c.err).toContain('--limit backend must be a whole number >= 1, got "0"');
    expect(await cli('down', '-j', 'many')).toBe(2);
    expect(c.err).toContain('--concurrency must be a whole number >= 1, got "many"');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('says where it looked when there is no manifest', async () => {
    expect(await cli('validate')).toBe(2);
    expect(c.err).toContain(`no manifest in ${dir}: looked for bottle.yaml, bottle.yml, bottle.json; pass -f FILE`);
    expect(c.err).not.toMatch(/\n\s+at /);
  });

  it('lists every problem of a bad manifest with its path, exit 2', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles:\n  dev: { backend: dockr, cpu: 2 }\nagents:\n  demo: { bottle: prod }\n');
    expect(await cli('validate')).toBe(2);
    expect(c.err).toContain('bottles.dev.backend: expected one of docker, smolvm, got "dockr"');
    expect(c.err).toContain('bottles.dev: unknown key "cpu"');
    expect(c.err).toContain('agents.demo.bottle: no bottle "prod"; bottles: dev');
  });

  it('validates a good manifest and prints the JSON Schema', async () => {
    await writeFile(join(dir, 'bottle.json'), JSON.stringify({ bottles: { dev: {} }, agents: { demo: { skills: [], prompt: '', bottle: 'dev' } } }));
    expect(await cli('validate')).toBe(0);
    expect(c.out).toContain('is valid: 1 bottle(s), 1 agent(s)');
    expect(await cli('schema')).toBe(0);
    expect(Object.keys(JSON.parse(c.out).properties)).toEqual(expect.arrayContaining(['bottles', 'agents']));
  });

  it('refuses bad options with what was expected', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
    expect(await cli('up', '-j', '0')).toBe(2);
    expect(c.err).toBe('bottle: --concurrency must be a whole number >= 1, got "0"\n');
    expect(await cli('up', '--progress', 'fancy')).toBe(2);
    expect(c.err).toBe('bottle: --progress must be one of auto, tty, plain, json, got "fancy"\n');
    expect(await cli('up', '--bogus')).toBe(2);
    expect(c.err).toMatch(/Unknown option '--bogus'; see `bottle up --help`/);
    expect(await cli('up', 'nobody')).toBe(2);
    expect(c.err).toContain('no agent "nobody" in');
    expect(c.err).toContain('agents: demo');
  });

  it('fails a missing skill before anything starts, naming it and where it looked', async () => {
    await mkdir(join(dir, 'skills', 'present'), { recursive: true });
    await writeFile(join(dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev, skills: [present, absent] } }\n');
    expect(await cli('up')).toBe(2);
    expect(c.err).toContain(`skill "absent" not found; looked in ${join(dir, 'skills', 'absent')}, `);
    expect(c.err).not.toContain('"present"');
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('fails a git.branch the repository does not have, or a detached HEAD without one, before anything starts', async () => {
    const repo = join(dir, 'repo');
    const git = (...args: string[]) => execa('git', ['-C', repo, ...args], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    await execa('git', ['init', '-q', '-b', 'main', repo]);
    await git('-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-q', '--allow-empty', '-m', 'first');
    await writeFile(join(dir, 'bottle.yaml'), 'bottles:\n  dev: { git: { repo: ./repo, branch: develop } }\nagents: { demo: { bottle: dev }, other: { bottle: dev } }\n');
    expect(await cli('up')).toBe(2);
    // Asked once for the two bottles that share the repository and branch.
    expect(c.err).toBe(`bottle: cannot bring the bottles up:\n  - bottle "dev": git.branch "develop" is not a branch of ${repo}; its branches are main. Set git.branch to one of them, or create it there\n`);
    await writeFile(join(dir, 'bottle.yaml'), 'bottles:\n  dev: { git: { repo: ./repo } }\nagents: { demo: { bottle: dev } }\n');
    await git('checkout', '-q', '--detach');
    expect(await cli('up')).toBe(2);
    expect(c.err).toContain(`the HEAD of git.repo ${repo} is detached (no current branch); set git.branch to one of main`);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('prints a message that quotes untrusted text with its control characters escaped, stack too', async () => {
    await writeFile(join(dir, 'bottle.yaml'), 'bottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
    expect(await cli('up', GUEST)).toBe(2);
    expect(c.err).toContain(`bottle: no agent "${GUEST_SHOWN}" in `);
    expect(c.err).not.toMatch(RAW_CONTROL);
    expect(await cli('up', GUEST, '--debug')).toBe(2);
    expect(c.err).toMatch(/\n\s+at /);
    expect(c.err).not.toMatch(RAW_CONTROL);
  });
});
