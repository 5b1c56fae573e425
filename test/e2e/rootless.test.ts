/**
 * NEEDS ROOT (it makes a user and starts an engine as it), and rootlesskit,
 * uidmap and slirp4netns (.ci/setup-docker installs them).
 * `bottle` against a rootless Docker Engine: a user the test makes, with
 * subordinate ids of its own (useradd's, else the test's), starts
 * `dockerd-rootless.sh` with its own XDG_RUNTIME_DIR and data root, and
 * runs the built CLI with only DOCKER_HOST pointing at that engine's socket:
 * up, status, exec, the proxy from the agent (an allowed request to an HTTP
 * server of this test on a host address, a denied one), cp both ways, logs,
 * down. The engine has no images and could not build the base (debootstrap
 * needs root): this process streams them in from its own engine
 * (lib/docker/stream-image.ts). Everything the test changes is put back in
 * afterAll: the engine stopped by its pid (rootlesskit, which the script
 * becomes) and whatever of the user still runs killed by pid, the user and
 * its subordinate id lines gone, /dev/net/tun's mode (slirp4netns opens it
 * as the user; udev makes it 0666, a machine without udev may leave it 0600)
 * and the test's directory.
 */
import Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEndpoint } from '../../lib/docker/endpoint.js';
import { clientOf } from '../../lib/docker/engine-scope.js';
import { streamImage } from '../../lib/docker/stream-image.js';
import { ensureBaseImage } from '../../lib/images/base-image.js';
import { builtImages } from '../../lib/images/images.js';
import { cacheDir } from '../../lib/images/paths.js';
import { bottleAs, must, mustReadBottle, sh, SYSTEM_PATH, type Run } from '../helpers/as-user.js';
import { isAlive, logTail } from '../helpers/dockerd-process.js';

const isRoot = process.getuid?.() === 0;
/** docker.io's place for it; Docker's own packages put it on PATH. */
const ROOTLESS_SCRIPTS = ['/usr/share/docker.io/contrib/dockerd-rootless.sh', '/usr/bin/dockerd-rootless.sh'];
const TUN = '/dev/net/tun';
const SUBID_COUNT = 65536;

const user = `bottle-rl-${Math.random().toString(16).slice(2, 8)}`;
let work: string;
let home: string;
let runtimeDir: string;
let project: string;
let userEnv: Record<string, string>;
let madeUser = false;
let tunModeBefore: number | undefined;
/** rootlesskit's pid: dockerd-rootless.sh execs it, and it ends dockerd, containerd and slirp4netns when it ends. */
let enginePid: number | undefined;
let engineLog: string;
let engine: Docker;
let server: Server | undefined;
let serverAddress: string;
let serverPort: number;
let up: Run;

/** The built `bottle` as the test's user, in its project, with only what a login of it would have and DOCKER_HOST. */
function asUser(args: string[]): Promise<Run> {
  return bottleAs(user, userEnv, project, args);
}

function upWorked(): void {
  expect(up.exitCode, `${up.stdout}\n${up.stderr}`).toBe(0);
}

/** Whether `command -v` finds it on the system PATH. */
async function found(command: string): Promise<boolean> {
  return (await sh('sh', ['-c', `command -v ${command}`])).exitCode === 0;
}

/** Lines of /etc/subuid or /etc/subgid as [name, start, count]. */
async function subIds(file: string): Promise<[string, number, number][]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => line.trim().split(':'))
    .filter((f) => f.length === 3)
    .map(([name, start, count]) => [name!, Number(start), Number(count)]);
}

/** Removes the user's lines from the file (userdel does where it knows of them; this is for where it did not). */
async function dropSubIds(file: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const kept = text.split('\n').filter((line) => !line.startsWith(`${user}:`));
  if (kept.length !== text.split('\n').length) await writeFile(file, kept.join('\n'));
}

/**
 * An address of this machine that a rootless engine's containers reach
 * through slirp4netns (which connects from this host's network namespace):
 * the default route's source, else any IPv4 address not loopback and not
 * one of Docker's bridges (the rootless engine has a docker0 of its own).
 */
async function hostAddress(): Promise<string> {
  const route = await sh('ip', ['-4', '-o', 'route', 'get', '192.0.2.1']);
  const src = /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(route.stdout)?.[1];
  if (src && !src.startsWith('127.')) return src;
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth)/.test(name)) continue;
    const a = addresses?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  throw new Error('no IPv4 address of this machine but loopback: the rootless engine\'s containers could not reach a server of the test');
}

async function startEngine(script: string): Promise<void> {
  const pidFile = join(runtimeDir, 'rootlesskit.pid');
  engineLog = join(work, 'dockerd-rootless.log');
  const env = [`HOME=${home}`, `USER=${user}`, `LOGNAME=${user}`, `PATH=${SYSTEM_PATH}`, `XDG_RUNTIME_DIR=${runtimeDir}`];
  // The shell writes its pid and becomes the script, which becomes rootlesskit: that pid is the engine's.
  const argv = ['-u', user, '--', '/usr/bin/env', '-i', ...env, '/bin/sh', '-c', `echo $$ > ${pidFile}; exec /bin/sh "$0" "$@"`, script, '--data-root', join(home, 'docker-data')];
  const log = openSync(engineLog, 'a');
  try {
    const child = spawn('runuser', argv, { stdio: ['ignore', log, log], env: { PATH: SYSTEM_PATH } });
    child.on('error', () => undefined);
  } finally {
    closeSync(log);
  }
  const socketPath = join(runtimeDir, 'docker.sock');
  engine = new Docker({ socketPath });
  const started = Date.now();
  for (;;) {
    if (enginePid === undefined && existsSync(pidFile)) enginePid = Number((await readFile(pidFile, 'utf8')).trim()) || undefined;
    const info = await (engine.info() as Promise<{ SecurityOptions?: string[] }>).catch(() => undefined);
    if (info) {
      if (!(info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless'))) throw new Error(`the engine at ${socketPath} does not say it is rootless: ${JSON.stringify(info.SecurityOptions)}`);
      return;
    }
    if (enginePid !== undefined && !isAlive(enginePid)) throw new Error(`the rootless engine ended before it answered:\n${await logTail(engineLog)}`);
    if (Date.now() - started > 60_000) throw new Error(`the rootless engine did not answer in 60 s:\n${await logTail(engineLog)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopEngine(): Promise<void> {
  if (enginePid === undefined) return;
  const gone = async (ms: number) => {
    for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) if (!isAlive(enginePid!)) return true;
    return !isAlive(enginePid!);
  };
  try {
    process.kill(enginePid, 'SIGTERM');
  } catch {
    // Gone already.
  }
  if (!(await gone(20_000))) {
    try {
      process.kill(enginePid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
    await gone(5_000);
  }
}

beforeAll(async () => {
  if (!isRoot) throw new Error(`this test needs root (it makes a user, its subordinate ids and its rootless engine); running as uid ${process.getuid?.()}`);
  const script = ROOTLESS_SCRIPTS.find((p) => existsSync(p));
  const missing = [...(script ? [] : ['dockerd-rootless.sh']), ...(await Promise.all(['rootlesskit', 'newuidmap', 'newgidmap', 'slirp4netns'].map(async (c) => ((await found(c)) ? [] : [c])))).flat()];
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run .ci/setup-docker (installs rootlesskit, uidmap and slirp4netns)`);
  if (!existsSync(TUN)) throw new Error(`${TUN} is missing: slirp4netns needs it (modprobe tun)`);

  // The images, on this process's engine (built or found by tag there), to stream into the user's.
  const base = process.env.BOTTLE_BASE_IMAGE || (await ensureBaseImage(cacheDir(), {}));
  const images = builtImages(cacheDir());
  const names = [base, await images.ours('agent', base, {}), await images.ours('bundle', base, {})];

  work = await mkdtemp(join(tmpdir(), 'bottle-rootless-'));
  await chmod(work, 0o755);
  home = join(work, 'home');
  await must('useradd', ['--create-home', '--home-dir', home, '--user-group', '--shell', '/bin/sh', '--no-log-init', user]);
  madeUser = true;
  const uid = Number((await must('id', ['-u', user])).stdout.trim());
  const gid = Number((await must('id', ['-g', user])).stdout.trim());
  // useradd gives a new user subordinate ids where /etc/subuid exists; else the test does, after every range there is.
  const [uids, gids] = [await subIds('/etc/subuid'), await subIds('/etc/subgid')];
  if (!uids.some(([n]) => n === user) || !gids.some(([n]) => n === user)) {
    const start = Math.max(100_000, ...[...uids, ...gids].map(([, s, c]) => s + c));
    const range = `${start}-${start + SUBID_COUNT - 1}`;
    await must('usermod', ['--add-subuids', range, '--add-subgids', range, user]);
  }
  const tun = await stat(TUN);
  if ((tun.mode & 0o006) !== 0o006) {
    tunModeBefore = tun.mode & 0o7777;
    await chmod(TUN, 0o666);
  }
  runtimeDir = join(work, 'run');
  await mkdir(runtimeDir, { mode: 0o700 });
  await chown(runtimeDir, uid, gid);

  const t0 = Date.now();
  await startEngine(script!);
  const t1 = Date.now();
  const local = clientOf(dockerEndpoint()).docker;
  for (const name of names) await streamImage(local, engine, name);
  console.log(`rootless engine answered in ${((t1 - t0) / 1000).toFixed(1)} s; images in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  serverAddress = await hostAddress();
  server = createServer((_, res) => res.end('hello from the test host\n'));
  serverPort = await new Promise<number>((resolve, reject) => {
    server!.once('error', reject).listen(0, serverAddress, () => resolve((server!.address() as { port: number }).port));
  });

  project = join(home, 'project');
  await mkdir(project);
  await writeFile(
    join(project, 'bottle.yaml'),
    `bottles:\n  dev:\n    backend: docker\n    egress:\n      allow: ["${serverAddress}:${serverPort}"]\nagents:\n  solo:\n    bottle: dev\n    prompt: "You work on a rootless engine."\n`,
  );
  await writeFile(join(project, 'note.txt'), 'from the host\n');
  await must('chown', ['-R', `${uid}:${gid}`, project]);
  userEnv = {
    HOME: home,
    USER: user,
    LOGNAME: user,
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    XDG_RUNTIME_DIR: runtimeDir,
    DOCKER_HOST: `unix://${join(runtimeDir, 'docker.sock')}`,
    BOTTLE_BASE_IMAGE: base,
    BOTTLE_OFFLINE: '1',
  };
  await mustReadBottle(user);

  up = await asUser(['up']);
}, 300_000);

afterAll(async () => {
  server?.close();
  await stopEngine();
  if (madeUser) {
    const uid = (await sh('id', ['-u', user])).stdout.trim();
    for (const pid of (await sh('pgrep', ['-u', user])).stdout.split('\n').filter(Boolean)) await sh('kill', ['-KILL', pid]);
    if (uid) for (const name of (await sh('find', ['/tmp', '-maxdepth', '1', '-uid', uid])).stdout.split('\n').filter(Boolean)) await rm(name, { recursive: true, force: true });
    await sh('userdel', [user]);
    if ((await sh('getent', ['group', user])).exitCode === 0) await sh('groupdel', [user]);
    await dropSubIds('/etc/subuid');
    await dropSubIds('/etc/subgid');
  }
  if (tunModeBefore !== undefined) await chmod(TUN, tunModeBefore);
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('bottle on a rootless Docker Engine (DOCKER_HOST, a normal user)', () => {
  it('brings a bottle up: exit 0, ready', async () => {
    upWorked();
    const status = await asUser(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).bottles).toMatchObject([{ agent: 'solo', backend: 'docker', state: 'ready' }]);
  });

  it('runs commands in the agent, whose requests go through the bundle\'s proxy: the allowed host answers, another gets 403', async () => {
    upWorked();
    const id = await asUser(['exec', 'solo', '--', 'id', '-un']);
    expect(id.exitCode, id.stderr).toBe(0);
    expect(id.stdout.trim()).toBe('node');
    const allowed = await asUser(['exec', 'solo', '--', 'curl', '-sS', '-m', '10', `http://${serverAddress}:${serverPort}/`]);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe('hello from the test host');
    const denied = await asUser(['exec', 'solo', '--', 'curl', '-sS', '-m', '10', '-o', '/dev/null', '-w', '%{http_code}', `http://${serverAddress}:${serverPort + 1}/`]);
    expect(denied.stdout).toBe('403');
  });

  it('copies into the agent and out of it', async () => {
    upWorked();
    const into = await asUser(['cp', 'note.txt', 'solo:/tmp/note.txt']);
    expect(into.exitCode, into.stderr).toBe(0);
    const owner = await asUser(['exec', 'solo', '--', 'stat', '-c', '%U %s', '/tmp/note.txt']);
    expect(owner.stdout.trim()).toBe('node 14');
    const back = await asUser(['cp', 'solo:/tmp/note.txt', 'back.txt']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await readFile(join(project, 'back.txt'), 'utf8')).toBe('from the host\n');
  });

  it('shows the proxy\'s audit lines in logs', async () => {
    upWorked();
    const logs = await asUser(['logs', 'solo']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`\\ballow\\s+GET ${serverAddress.replace(/\./g, '\\.')}:${serverPort}\\s+200`));
    expect(logs.stdout).toMatch(new RegExp(`\\bdeny\\s+GET ${serverAddress.replace(/\./g, '\\.')}:${serverPort + 1}\\s+403`));
  });

  it('brings it down: exit 0, nothing of it left on the engine', async () => {
    upWorked();
    const down = await asUser(['down']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await engine.listContainers({ all: true })).toEqual([]);
    expect((await engine.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
    expect((await engine.listVolumes()).Volumes ?? []).toEqual([]);
  });
});
