/**
 * Sessions that outlive the terminal, on a real dockerd: `bottle claude
 * --detach` starts the real Claude Code in a tmux session in the agent
 * machine and returns; a long-running command started the same way
 * (`bottle exec --session --detach`: offline, Claude Code itself ends
 * without an API) survives the CLI; `bottle status --probe` lists the
 * sessions; `bottle attach`, run in a terminal of the test's own (a tmux
 * pane on the host), shows it, Ctrl-b d detaches and leaves it running.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle } from '../helpers/cli.js';
import { guest } from '../helpers/docker.js';
import { openPane, type Pane } from '../report/tmux.js';

let work: string;
let env: Record<string, string>;
let machine: string;
let pane: Pane | undefined;

/** `-f` right after the command: what follows `--` is Claude Code's. */
const cli = (command: string, ...args: string[]) => bottle([command, '-f', join(work, 'bottle.yaml'), ...args], env);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-sessions-'));
  await writeFile(join(work, 'bottle.yaml'), 'bottles:\n  dev: { backend: docker }\nagents:\n  a: { bottle: dev }\n');
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  const up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr).toBe(0);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('a-'));
  machine = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8')).machine;
}, 900_000);

afterAll(async () => {
  pane?.close();
  if (!work) return;
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle claude sessions', () => {
  it('--detach starts Claude Code in a session that survives the CLI, and keeps its window when it ends', async () => {
    const started = await cli('claude', 'a', '--detach', '--session', 'version', '--', '--version');
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stdout).toContain('started Claude Code in session "version" of agent "a"; `bottle attach a --session version` to watch it');
    // The CLI has exited; the session is still there, in the agent machine, its window showing what Claude Code printed.
    expect((await guest(machine, ['tmux', 'has-session', '-t', '=version'])).exitCode).toBe(0);
    // Claude Code printed its version and ended; the window stays, for `bottle attach` to show how it ended.
    let listed = '';
    for (let i = 0; i < 50 && !/version ended/.test(listed); i++) {
      listed = (await guest(machine, ['tmux', 'list-sessions', '-F', '#{session_name} #{?pane_dead,ended,running}'])).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toContain('version ended');
    expect((await guest(machine, ['tmux', 'capture-pane', '-p', '-t', '=version:'])).stdout).toMatch(/\(Claude Code\)|Pane is dead \(status 0/);
    const again = await cli('claude', 'a', '--detach', '--session', 'version');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('has a session "version" already');
  });

  it('lists running and ended sessions in bottle status --probe', async () => {
    const started = await cli('exec', 'a', '--session', 'long', '--detach', '--', 'sh', '-c', 'echo ready-in-session; sleep 600');
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.stdout).toContain('in session "long" of agent "a"');
    const status = await cli('status', '--probe', '--json');
    const sessions = JSON.parse(status.stdout).bottles[0].sessions;
    expect(sessions).toEqual(expect.arrayContaining([{ name: 'long', running: true }, { name: 'version', running: false }]));
    expect((await cli('status', '--probe')).stdout).toMatch(/sessions of a: .*long \(running\)/);
    // Without --probe, from the state alone: the sessions bottle started, and when.
    expect((await cli('status')).stdout).toMatch(/sessions of a: version \(started [^)]+ ago\), long \(started [^)]+ ago\); --probe says which still run/);
  });

  it('bottle attach shows the session on a terminal, and Ctrl-b d detaches leaving it running', async () => {
    pane = openPane('bottle-attach', 120, 40);
    pane.type(`clear; BOTTLE_STATE_DIR=${join(work, 'state')} node ${BOTTLE} attach a --session long -f ${join(work, 'bottle.yaml')}; echo "EXIT=$?"`);
    await pane.when((s) => /ready-in-session/.test(s) && !/EXIT=/.test(s), 'the session', 30_000);
    pane.key('C-b');
    pane.key('d');
    const after = await pane.when((s) => /EXIT=\d+/.test(s), 'attach to end');
    expect(after).toMatch(/\[detached/);
    expect(after).toMatch(/EXIT=0/);
    const listed = await guest(machine, ['tmux', 'list-sessions', '-F', '#{session_name} #{?pane_dead,ended,running}']);
    expect(listed.stdout).toContain('long running');
  });

  it('says so when there is no such session, or no terminal', async () => {
    const none = await cli('claude', 'a', '--detach', '--session', 'bad.name');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('--session: expected a name of letters, digits, - and _');
    const piped = await cli('attach', 'a');
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr).toContain('bottle attach needs a terminal');
  });
});
