/**
 * `bottle cp` and `bottle port` on a real dockerd, against one bottle: a tree
 * goes into the agent's machine and back with its modes, owned by the
 * agent's user there; a link the guest made comes out as a link; a dev
 * server in the guest is reached from the host through a listener on
 * 127.0.0.1 only, and Ctrl-C leaves neither the listener nor a relay behind.
 * (The host's side of a hostile archive is test/fs/extract-tree.test.ts's.)
 */
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOTTLE, bottle } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

let work: string;
let manifest: string;
let env: Record<string, string>;
let machine: string;

const cli = (command: string, ...args: string[]) => bottle([command, '-f', manifest, ...args], env, work);
const mode = async (path: string) => (await lstat(path)).mode & 0o777;

/** The command lines of the guest's processes that are `bottle port` relays (the listing's own left out). */
async function relaysInGuest(): Promise<string[]> {
  const r = await dockerOut(['exec', machine, 'sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done']);
  return r.stdout.split('\n').filter((l) => l.includes('bottle-port-relay') && !l.includes('/proc/'));
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-cp-port-'));
  manifest = join(work, 'bottle.yaml');
  await writeFile(manifest, 'bottles:\n  dev: { backend: docker }\nagents:\n  demo: { bottle: dev }\n');
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  const up = await bottle(['up', '-f', manifest, '--progress', 'json'], env, work);
  expect(up.exitCode, up.stderr).toBe(0);
  const slug = up.events[0]!.bottles.find((b: string) => b.startsWith('demo-'));
  machine = JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8')).machine;
}, 900_000);

afterAll(async () => {
  if (!work) return;
  await bottle(['down', '-f', manifest, '--purge'], env, work);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('bottle cp', () => {
  it('round-trips a tree host -> guest -> host with its modes, owned by the agent user in the guest', async () => {
    const tree = join(work, 'tree');
    await mkdir(join(tree, 'sub'), { recursive: true });
    await writeFile(join(tree, 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    await writeFile(join(tree, 'secret'), 'key\n', { mode: 0o600 });
    await writeFile(join(tree, 'sub', 'note.txt'), 'a note\n', { mode: 0o644 });

    const into = await cli('cp', tree, 'demo:tree');
    expect(into.exitCode, into.stderr).toBe(0);
    expect(into.stdout).toBe(`copied ${tree} to demo:/home/node/workspace/tree (3 files, 2 directories, 30 bytes)`);
    const listed = await guest(machine, ['sh', '-c', 'cd ~/workspace/tree && stat -c "%a %U:%G %n" . run.sh secret sub sub/note.txt && ./run.sh']);
    expect(listed.stdout.split('\n')).toEqual(['755 node:node .', '755 node:node run.sh', '600 node:node secret', '755 node:node sub', '644 node:node sub/note.txt', 'ran']);

    const out = await cli('cp', 'demo:tree', join(work, 'back'));
    expect(out.exitCode, out.stderr).toBe(0);
    expect(await mode(join(work, 'back', 'run.sh'))).toBe(0o755);
    expect(await mode(join(work, 'back', 'secret'))).toBe(0o600);
    expect(await mode(join(work, 'back', 'sub'))).toBe(0o755);
    expect(await readFile(join(work, 'back', 'secret'), 'utf8')).toBe('key\n');
    expect(await readFile(join(work, 'back', 'sub', 'note.txt'), 'utf8')).toBe('a note\n');

    // Into a directory that exists, a copy goes inside it, as with docker cp.
    await mkdir(join(work, 'inbox'));
    const again = await cli('cp', 'demo:/home/node/workspace/tree/sub', join(work, 'inbox'));
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readFile(join(work, 'inbox', 'sub', 'note.txt'), 'utf8')).toBe('a note\n');
  });

  it('brings a guest link to /etc/shadow out as a link, never as the file', async () => {
    expect((await guest(machine, ['sh', '-c', 'mkdir -p ~/workspace/linked && ln -s /etc/shadow ~/workspace/linked/shadow && echo x > ~/workspace/linked/plain'])).exitCode).toBe(0);
    const out = await cli('cp', 'demo:linked', join(work, 'linked'));
    expect(out.exitCode, out.stderr).toBe(0);
    expect((await lstat(join(work, 'linked', 'shadow'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(work, 'linked', 'shadow'))).toBe('/etc/shadow');
    // The link itself, named: still a link.
    const one = await cli('cp', 'demo:linked/shadow', join(work, 'one-link'));
    expect(one.exitCode, one.stderr).toBe(0);
    expect(await readlink(join(work, 'one-link'))).toBe('/etc/shadow');
  });

  it('reads and writes in the guest as the agent user, never as root', async () => {
    const denied = await cli('cp', 'demo:/etc/shadow', join(work, 'shadow'));
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toContain('Permission denied');
    await expect(lstat(join(work, 'shadow'))).rejects.toThrow();
    // A link the agent planted at the destination leads only where its user may write: not /etc.
    expect((await guest(machine, ['ln', '-s', '/etc', '/home/node/workspace/etc-link'])).exitCode).toBe(0);
    await writeFile(join(work, 'planted'), 'x\n');
    const through = await cli('cp', join(work, 'planted'), 'demo:etc-link');
    expect(through.exitCode).toBe(1);
    expect((await guest(machine, ['test', '-e', '/etc/planted'])).exitCode).not.toBe(0);
  });

  it('says what is wrong with its arguments, exit 2: unknown agent, bad <agent>:<path>, missing host path', async () => {
    const unknown = await cli('cp', 'nobody:notes.md', work);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('agent "nobody" has no bottle');
    const badName = await cli('cp', 'Demo:notes.md', work);
    expect(badName.exitCode).toBe(2);
    expect(badName.stderr).toContain('"Demo:notes.md" is not <agent>:<path>');
    const noPath = await cli('cp', 'demo:', work);
    expect(noPath.exitCode).toBe(2);
    expect(noPath.stderr).toContain('"demo:" names no path after "demo:"');
    const missing = await cli('cp', join(work, 'missing.txt'), 'demo:.');
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`no such file or directory on the host: ${join(work, 'missing.txt')}`);
    const noGuestPath = await cli('cp', 'demo:missing.txt', work);
    expect(noGuestPath.exitCode).toBe(2);
    expect(noGuestPath.stderr).toContain("no such file or directory in the agent's machine: demo:/home/node/workspace/missing.txt");
    const bothHost = await cli('cp', join(work, 'planted'), join(work, 'elsewhere'));
    expect(bothHost.exitCode).toBe(2);
    expect(bothHost.stderr).toContain("needs the agent's side as <agent>:<path>");
  });
});

describe('bottle port', () => {
  it('serves a guest page to the host, two connections at once, on 127.0.0.1 only; Ctrl-C closes it and leaves no relay', async () => {
    const server = "require('http').createServer((q,s)=>s.end('hello from the guest')).listen(8000,'127.0.0.1')";
    expect((await dockerOut(['exec', '-d', '-u', 'node', machine, 'node', '-e', server])).exitCode).toBe(0);
    const probe = "require('net').connect(8000,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))";
    await until('the guest server', () => guest(machine, ['node', '-e', probe]), (r) => r.exitCode === 0);

    const child = execa('node', [BOTTLE, 'port', '-f', manifest, 'demo', '8000'], { env, cwd: work, reject: false, stdin: 'ignore' });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const said = await until('the forwarding line', async () => out, (o) => o.includes('\n'));
    const m = /^forwarding 127\.0\.0\.1:(\d+) -> demo:8000; Ctrl-C to stop\n$/.exec(said);
    expect(m, said).not.toBeNull();
    const port = Number(m![1]);

    const [a, b] = await Promise.all([1, 2].map(() => execa('curl', ['-sS', '--max-time', '20', `http://127.0.0.1:${port}/`], { reject: false })));
    expect(a!.stdout, a!.stderr).toBe('hello from the guest');
    expect(b!.stdout, b!.stderr).toBe('hello from the guest');

    // Listening on the loopback address only: in the kernel's table, and from the host's other addresses.
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = async (table: string) =>
      (await readFile(table, 'utf8'))
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
        .map((f) => f[1]);
    expect(await listening('/proc/net/tcp')).toEqual([`0100007F:${hexPort}`]);
    expect(await listening('/proc/net/tcp6')).toEqual([]);
    for (const address of Object.values(networkInterfaces()).flat()) {
      if (address && address.family === 'IPv4' && !address.internal) expect(await accepts(address.address, port), address.address).toBe(false);
    }

    // A connection left open has its relay in the guest until Ctrl-C.
    const idle: Socket = connect(port, '127.0.0.1');
    idle.on('error', () => undefined);
    await until('a relay in the guest', relaysInGuest, (r) => r.length === 1);

    child.kill('SIGINT');
    const ended = await child;
    expect(ended.exitCode, String(ended.stderr)).toBe(0);
    expect(String(ended.stderr)).not.toMatch(/\bat \/|Error:/);
    expect(await accepts('127.0.0.1', port)).toBe(false);
    await until('no relay in the guest', relaysInGuest, (r) => r.length === 0, 5_000);
    idle.destroy();
  });

  it('ends in the guest, on Ctrl-C, a relay whose guest server never closes its side', async () => {
    // Holds every connection open and ignores its end: only stopping the relay's process ends it.
    const server = "require('net').createServer({allowHalfOpen:true},()=>{}).listen(8001,'127.0.0.1')";
    expect((await dockerOut(['exec', '-d', '-u', 'node', machine, 'node', '-e', server])).exitCode).toBe(0);
    const probe = "require('net').connect(8001,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))";
    await until('the guest server', () => guest(machine, ['node', '-e', probe]), (r) => r.exitCode === 0);
    const child = execa('node', [BOTTLE, 'port', '-f', manifest, 'demo', '8001'], { env, cwd: work, reject: false, stdin: 'ignore' });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await until('the forwarding line', async () => out, (o) => o.includes('\n')))![1]);
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    for (const s of held) s.on('error', () => undefined);
    await until('two relays in the guest', relaysInGuest, (r) => r.length === 2);
    // One client goes away: its relay goes too (once the guest has sent nothing for 5 s), though the guest server keeps its side open.
    held[0]!.destroy();
    await until('one relay in the guest', relaysInGuest, (r) => r.length === 1, 15_000);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
    await until('no relay in the guest', relaysInGuest, (r) => r.length === 0, 5_000);
    held[1]!.destroy();
  });

  it('says what is wrong with its arguments, exit 2', async () => {
    const unknown = await cli('port', 'nobody', '8000');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('agent "nobody" has no bottle');
    const badPort = await cli('port', 'demo', '70000');
    expect(badPort.exitCode).toBe(2);
    expect(badPort.stderr).toContain('the guest port must be a port number from 1 to 65535, got "70000"');
  });
});

// Last: it stops the bottle's machine.
describe('a bottle whose machine is stopped', () => {
  it('is said by cp and port, exit 2, with what to do', async () => {
    expect((await dockerOut(['stop', '-t', '0', machine])).exitCode).toBe(0);
    for (const run of [await cli('cp', 'demo:tree', join(work, 'never')), await cli('port', 'demo', '8000')]) {
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toBe('bottle: the machine of agent "demo" is stopped; run `bottle up demo` first');
    }
  });
});
