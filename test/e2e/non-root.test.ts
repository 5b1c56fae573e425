/**
 * `bottle` as a normal user: a user the test makes, in the `docker` group
 * (made too when missing), runs the built CLI with a clean environment (its
 * HOME, its XDG state and cache dirs, PATH with node) on a one-bottle
 * manifest in a project it owns: up, status, exec, logs, ls, doctor, down.
 * Its state is under its $XDG_STATE_HOME/bottle and all of it is the user's;
 * the bundle runs as the user's own uid (not 65532, which only a root bottle
 * hands its files to); nothing is written under /root or root's state root;
 * down leaves no container or network. Images are built (or found) first by
 * this process, so the user's run finds them by tag and builds nothing.
 * Everything the test changes (the user, its group, the docker group, the
 * socket's group and mode) is put back in afterAll.
 */
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEndpoint } from '../../lib/docker/endpoint.js';
import { ensureBaseImage } from '../../lib/images/base-image.js';
import { builtImages } from '../../lib/images/images.js';
import { cacheDir } from '../../lib/images/paths.js';
import { bottleAs, must, mustReadBottle, sh, type Run } from '../helpers/as-user.js';
import { dockerOut, labelled } from '../helpers/docker.js';

const isRoot = process.getuid?.() === 0;
const socket = isRoot ? dockerEndpoint().socketPath : undefined;

const user = `bottle-nr-${Math.random().toString(16).slice(2, 8)}`;
let work: string;
let home: string;
let project: string;
let stateRoot: string;
let uid: number;
let gid: number;
let userEnv: Record<string, string>;
let madeUser = false;
let madeDockerGroup = false;
/** The socket's group and mode before the test, when it changed them. */
let socketBefore: { gid: number; mode: number } | undefined;
let up: Run;
let slug: string;
let plan: { machine: string; bundle: string; network: { name: string } };

/** The built `bottle` as the test's user, in its project, with only the environment a login of it would have. */
function asUser(args: string[]): Promise<Run> {
  return bottleAs(user, userEnv, project, args);
}

/** The up of beforeAll worked (else every later test would fail on its missing plan, not on why). */
function upWorked(): void {
  expect(up.exitCode, up.stderr).toBe(0);
  expect(plan, up.stdout).toBeDefined();
}

/** Every path under `dir` (itself included) whose owner is not `owner`. */
async function notOwnedBy(dir: string, owner: number): Promise<string[]> {
  const wrong: string[] = [];
  const visit = async (path: string) => {
    const s = await lstat(path);
    if (s.uid !== owner) wrong.push(path);
    if (s.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(dir);
  return wrong;
}

/** The user's objects on the engine: labelled with its state root. */
async function objectsOfUser(): Promise<string[]> {
  const label = `bot-bottle.state-root=${stateRoot}`;
  return [...(await labelled('container', label)), ...(await labelled('network', label)), ...(await labelled('volume', label))];
}

beforeAll(async () => {
  if (!isRoot) throw new Error(`this test needs root (it makes a user and adds it to the docker group); running as uid ${process.getuid?.()}`);
  if (!socket) throw new Error('this test needs the engine on a unix socket (DOCKER_HOST names another transport): the docker group is a socket\'s');
  // The images, as root and from the shared cache: the user's run finds them by tag.
  const base = process.env.BOTTLE_BASE_IMAGE || (await ensureBaseImage(cacheDir(), {}));
  const images = builtImages(cacheDir());
  await images.ours('agent', base, {});
  await images.ours('bundle', base, {});

  work = await mkdtemp(join(tmpdir(), 'bottle-non-root-'));
  await chmod(work, 0o755);
  home = join(work, 'home');
  if ((await sh('getent', ['group', 'docker'])).exitCode !== 0) {
    await must('groupadd', ['docker']);
    madeDockerGroup = true;
  }
  await must('useradd', ['--create-home', '--home-dir', home, '--user-group', '--groups', 'docker', '--shell', '/bin/sh', '--no-log-init', user]);
  madeUser = true;
  uid = Number((await must('id', ['-u', user])).stdout.trim());
  gid = Number((await must('id', ['-g', user])).stdout.trim());
  const dockerGid = Number((await must('getent', ['group', 'docker'])).stdout.split(':')[2]);
  // The socket as Docker's packages leave it: the docker group may read and write it.
  const s = await stat(socket);
  if (s.gid !== dockerGid || (s.mode & 0o060) !== 0o060) {
    socketBefore = { gid: s.gid, mode: s.mode & 0o7777 };
    await chown(socket, s.uid, dockerGid);
    await chmod(socket, (s.mode & 0o7777) | 0o060);
  }

  project = join(home, 'project');
  await mkdir(project);
  await writeFile(join(project, 'bottle.yaml'), 'bottles:\n  dev:\n    backend: docker\nagents:\n  solo:\n    bottle: dev\n    prompt: "You work as a normal user."\n');
  await must('chown', ['-R', `${uid}:${gid}`, project]);
  const xdgState = join(home, 'xdg-state');
  stateRoot = join(xdgState, 'bottle');
  userEnv = {
    HOME: home,
    USER: user,
    LOGNAME: user,
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    XDG_STATE_HOME: xdgState,
    XDG_CACHE_HOME: join(home, 'xdg-cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    BOTTLE_BASE_IMAGE: base,
    // The system socket is what a user in the docker group reaches with no setting; any other is named.
    ...(socket === '/var/run/docker.sock' ? {} : { DOCKER_HOST: `unix://${socket}` }),
  };
  await mustReadBottle(user);

  up = await asUser(['up', '--progress', 'json']);
  const start = up.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'run-start');
  slug = start?.bottles?.find((b: string) => b.startsWith('solo-'));
  if (slug) plan = JSON.parse(await readFile(join(stateRoot, slug, 'plan.json'), 'utf8'));
}, 900_000);

afterAll(async () => {
  if (stateRoot) {
    // A failed test's leftovers, by label (down removed them when it passed).
    const label = `bot-bottle.state-root=${stateRoot}`;
    for (const c of await labelled('container', label)) await dockerOut(['rm', '-f', c]);
    for (const n of await labelled('network', label)) await dockerOut(['network', 'rm', n]);
    for (const v of await labelled('volume', label)) await dockerOut(['volume', 'rm', '-f', v]);
  }
  if (madeUser) {
    for (const pid of (await sh('pgrep', ['-u', user])).stdout.split('\n').filter(Boolean)) await sh('kill', ['-KILL', pid]);
    for (const name of (await sh('find', ['/tmp', '-maxdepth', '1', '-uid', String(uid)])).stdout.split('\n').filter(Boolean)) {
      await rm(name, { recursive: true, force: true });
    }
    await sh('userdel', [user]);
    if ((await sh('getent', ['group', user])).exitCode === 0) await sh('groupdel', [user]);
  }
  if (socketBefore && socket) {
    const s = await stat(socket);
    await chown(socket, s.uid, socketBefore.gid);
    await chmod(socket, socketBefore.mode);
  }
  if (madeDockerGroup) await sh('groupdel', ['docker']);
  if (work) await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle as a normal user in the docker group', () => {
  it('brings a bottle up: exit 0, ready, its bundle running as the user', async () => {
    upWorked();
    expect(slug).toMatch(/^solo-[0-9a-f]{5}$/);
    const status = await asUser(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).bottles).toMatchObject([{ agent: 'solo', slug, backend: 'docker', state: 'ready' }]);
    const bundleUser = await dockerOut(['inspect', '-f', '{{.Config.User}} {{.State.Running}}', plan.bundle]);
    expect(bundleUser.stdout.trim()).toBe(`${uid}:${gid} true`);
    expect((await dockerOut(['inspect', '-f', '{{.State.Running}}', plan.machine])).stdout.trim()).toBe('true');
  });

  it('keeps its state under $XDG_STATE_HOME/bottle, all of it private and the user\'s', async () => {
    upWorked();
    expect(existsSync(join(stateRoot, slug, 'plan.json'))).toBe(true);
    expect(await notOwnedBy(stateRoot, uid)).toEqual([]);
    expect((await stat(stateRoot)).mode & 0o777).toBe(0o700);
    // No default state root of its own beside the one XDG_STATE_HOME names.
    expect(existsSync(join(home, '.local', 'state', 'bottle'))).toBe(false);
  });

  it('writes nothing under /root or root\'s state root', async () => {
    upWorked();
    expect((await sh('find', ['/root', '-xdev', '-uid', String(uid), '-print', '-quit'])).stdout).toBe('');
    const rootStates = [join(homedir(), '.local', 'state', 'bottle'), process.env.XDG_STATE_HOME ? join(process.env.XDG_STATE_HOME, 'bottle') : ''];
    for (const dir of rootStates.filter(Boolean)) expect(existsSync(join(dir, slug))).toBe(false);
  });

  it('runs the other commands on its bottle: exec, logs, ls, doctor', async () => {
    upWorked();
    const exec = await asUser(['exec', 'solo', '--', 'id', '-un']);
    expect(exec.exitCode, exec.stderr).toBe(0);
    expect(exec.stdout.trim()).toBe('node');
    const logs = await asUser(['logs', 'solo']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/\ballow\b/);
    const ls = await asUser(['ls', '--json']);
    expect(ls.exitCode, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).bottles).toMatchObject([{ slug, state: 'up' }]);
    const doctor = await asUser(['doctor']);
    expect(doctor.exitCode, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain('nothing found');
  });

  it('brings it down: exit 0, no container, network or volume of its state root left, no temp files', async () => {
    upWorked();
    const down = await asUser(['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await objectsOfUser()).toEqual([]);
    expect((await dockerOut(['network', 'inspect', plan.network.name])).exitCode).not.toBe(0);
    expect((await sh('find', ['/tmp', '-maxdepth', '1', '-uid', String(uid)])).stdout).toBe('');
    expect(await notOwnedBy(stateRoot, uid)).toEqual([]);
  });
});
