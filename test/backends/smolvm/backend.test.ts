/**
 * The smolvm Backend over the CLI transport, at the process boundary (the fake
 * smolvm binary): reuse and recreation by config label, create races, the
 * running check before exec and copies, users, copies of directories, status
 * of many machines in one call.
 */
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TaskError } from '../../../lib/engine/index.js';
import { rejection as rejectionOf } from '../../helpers/rejection.js';
import { createSmolvmBackend } from '../../../lib/backends/smolvm/backend.js';
import { cliTransport } from '../../../lib/backends/smolvm/cli.js';
import { attachArgs } from '../../../lib/backends/smolvm/cli-attach.js';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';
import type { ImageBridge } from '../../../lib/backends/smolvm/image-archive.js';
import type { Backend, MachineSpec } from '../../../lib/backends/types.js';
import { defaultGuest, fakeSmolvm, type FakeSmolvm } from './fake-smolvm.js';
import { unwrapUser } from '../../../lib/backends/smolvm/guest.js';
import { unpackArgv } from '../../../lib/backends/guest-install.js';

let fake: FakeSmolvm;
let backend: Backend;
/** Images are Docker's business (image-archive.test.ts): here every image is already an archive. */
const images: ImageBridge = { resolve: async (image) => `/cache/${image.replace(/\W/g, '_')}.tar` };

beforeEach(() => {
  fake = fakeSmolvm();
  backend = createSmolvmBackend({ transport: cliTransport({ runner: fake.runner, binary: 'smolvm' }), runner: fake.runner, images });
});

const spec: MachineSpec = {
  name: 'claude-bottle-demo-abc12',
  image: 'bot-bottle/agent:1',
  labels: { 'bot-bottle.slug': 'demo-abc12' },
  configHash: 'c0ffee00c0ffee00',
  env: { HOME: '/home/node' },
  user: 'node',
  network: 'claude-bottle-demo-abc12',
};

const rejection = (p: Promise<unknown>) => rejectionOf(p, TaskError);

const verbs = () => fake.calls.map((c) => c[1]);

describe('startMachine', () => {
  it('creates with the archive the image bridge gave and the config label, starts, and names the machine by hash and creation time', async () => {
    const info = await backend.startMachine(spec, {});
    expect(verbs()).toEqual(['status', 'create', 'start', 'status']);
    expect(fake.calls[1]).toContain('/cache/bot_bottle_agent_1.tar');
    expect(fake.calls[1]).toContain('bot-bottle.config=c0ffee00c0ffee00');
    const made = fake.machines.get(spec.name)!;
    expect(info).toEqual({ name: spec.name, id: `c0ffee00c0ff-${made.createdAt}`, created: true });
  });

  it('reuses a stopped machine whose config label matches: start only, the same id', async () => {
    const first = await backend.startMachine(spec, {});
    fake.machines.get(spec.name)!.state = 'stopped';
    fake.calls.length = 0;
    expect(await backend.startMachine(spec, {})).toEqual({ ...first, created: false });
    expect(verbs()).toEqual(['status', 'start']);
  });

  it('recreates one whose label differs, with a new id', async () => {
    const first = await backend.startMachine(spec, {});
    const second = await backend.startMachine({ ...spec, configHash: 'beef0000beef0000' }, {});
    expect(fake.calls.filter((c) => c[1] === 'delete')).toEqual([['machine', 'delete', '--name', spec.name, '-f']]);
    expect(second.created).toBe(true);
    expect(second.id).not.toBe(first.id);
  });

  it('confirms with status when create finds the name taken meanwhile: reuses it when it is ours', async () => {
    fake.add(spec.name, { state: 'stopped', labels: { 'bot-bottle.config': spec.configHash } });
    fake.failNext('status', { exitCode: 1, stderr: `Error: config operation failed: machine status: machine '${spec.name}' not found\n` });
    const info = await backend.startMachine(spec, {});
    expect(verbs()).toEqual(['status', 'create', 'status', 'start']);
    expect(info.created).toBe(false);
  });

  it('and retries (transient) when what was made meanwhile is not', async () => {
    fake.add(spec.name, { labels: { 'bot-bottle.config': 'someone else' } });
    fake.failNext('status', { exitCode: 1, stderr: `Error: config operation failed: machine status: machine '${spec.name}' not found\n` });
    expect(await rejection(backend.startMachine(spec, {}))).toMatchObject({ code: 'SMOLVM_CONFLICT', transient: true });
  });

  it('refuses an address smolvm cannot give, before any command', async () => {
    const error = await rejection(backend.startMachine({ ...spec, ip: '10.213.0.2' }, {}));
    expect(error.code).toBe('BAD_SPEC');
    expect(fake.calls).toEqual([]);
  });
});

describe('exec', () => {
  it('checks the machine runs, then runs argv as the user through setpriv, root as is', async () => {
    fake.add(spec.name);
    await backend.exec(spec.name, ['whoami'], { user: 'node' });
    await backend.exec(spec.name, ['update-ca-certificates'], { user: '0' });
    expect(fake.calls.map((c) => (c.includes('--') ? [c[1]!, ...c.slice(c.indexOf('--') + 1)] : [c[1]!]))).toEqual([
      ['status'],
      ['exec', 'sh', '-c', 'u=$1; shift; exec setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"', 'sh', 'node', 'whoami'],
      ['status'],
      ['exec', 'update-ca-certificates'],
    ]);
  });

  it('does not run in a stopped or missing machine (smolvm would not start it), and says what to do', async () => {
    fake.add(spec.name, { state: 'stopped' });
    expect(await rejection(backend.exec(spec.name, ['true']))).toMatchObject({
      code: 'MACHINE_NOT_RUNNING',
      message: `smolvm machine ${spec.name} is stopped; run \`bottle up\` to start it`,
    });
    expect((await rejection(backend.exec('ghost', ['true']))).code).toBe('MACHINE_MISSING');
    expect(verbs()).toEqual(['status', 'status']);
  });
});

describe('files', () => {
  const prompt = { dir: '/home/node', user: 'node', entries: [{ path: 'p.txt', content: 'x', mode: 0o640 }] };

  it('stages an archive in a fresh directory of root\'s, owned by the user, who unpacks it in place; then removes the directory', async () => {
    fake.add(spec.name);
    await backend.putFiles(spec.name, prompt, {});
    const [upload] = fake.uploads;
    const dir = upload!.path.replace(/\/files\.tar$/, '');
    expect(dir).toMatch(/^\/tmp\/\.bot-bottle-[0-9a-f]{16}$/);
    expect([upload!.mode, upload!.uid, upload!.gid]).toEqual(['600', '1000', '1000']);
    expect(fake.guestCalls.map((c) => unwrapUser(c.argv))).toEqual([
      { user: null, argv: ['id', 'node'] },
      { user: null, argv: ['mkdir', '-m', '711', dir] },
      { user: 'node', argv: unpackArgv('/home/node', `${dir}/files.tar`) },
      { user: null, argv: ['rm', '-rf', dir] },
    ]);
  });

  it('empties fresh directories first, as the user', async () => {
    fake.add(spec.name);
    await backend.putFiles(spec.name, { dir: '/home/node', user: 'node', entries: [{ path: 'skills', dir: true, mode: 0o755 }, { path: 'skills/review', dir: true, mode: 0o755, fresh: true }] }, {});
    const unpack = fake.guestCalls.map((c) => unwrapUser(c.argv)).find((c) => c.user === 'node')!;
    expect(unpack.argv.slice(-1)).toEqual(['skills/review']);
  });

  it('stages under a new random name each time (the guest cannot plant a link there first)', async () => {
    fake.add(spec.name);
    await backend.putFiles(spec.name, prompt, {});
    await backend.putFiles(spec.name, prompt, {});
    const [a, b] = fake.uploads.map((u) => u.path);
    expect(a).not.toBe(b);
  });

  it('fails naming a user the guest does not have', async () => {
    fake.add(spec.name);
    const error = await rejection(backend.putFiles(spec.name, { ...prompt, user: 'nobody-here' }, {}));
    expect(error.message).toBe(`there is no user nobody-here in ${spec.name} (\`id nobody-here\`: id: 'nobody-here': no such user)`);
    expect(fake.uploads).toEqual([]);
  });

  it('removes the staged archive in the guest even when unpacking fails, and says so', async () => {
    fake.add(spec.name);
    fake.guest = (c) => (c.argv.join(' ').includes('tar -x') ? { exitCode: 2, stderr: 'tar: /nope: Cannot open: No such file or directory\n' } : defaultGuest(c));
    const error = await rejection(backend.putFiles(spec.name, { ...prompt, dir: '/nope' }, {}));
    expect(error).toMatchObject({ code: 'COPY_FAILED', message: `could not put files into ${spec.name}:/nope: tar: /nope: Cannot open: No such file or directory` });
    expect(fake.guestCalls.at(-1)!.argv).toEqual(['rm', '-rf', fake.uploads[0]!.path.replace(/\/files\.tar$/, '')]);
  });

  it('reads a regular file as the user, and nothing past the cap', async () => {
    fake.add(spec.name);
    fake.guest = (c) => (c.argv.join(' ').includes('head -c') ? { stdout: '{"a":1}' } : defaultGuest(c));
    expect((await backend.readFile(spec.name, '/home/node/.claude.json', { user: 'node', maxBytes: 100 }))?.toString()).toBe('{"a":1}');
    expect(await backend.readFile(spec.name, '/home/node/.claude.json', { user: 'node', maxBytes: 3 })).toBeUndefined();
  });
});

describe('status, remove, network', () => {
  it('reads many machines with one ls: running, stopped (created, stopped), missing', async () => {
    fake.add('a');
    fake.add('b', { state: 'created' });
    fake.add('c', { state: 'stopped' });
    const states = await backend.status(['a', 'b', 'c', 'd']);
    expect(Object.fromEntries(states)).toEqual({ a: 'running', b: 'stopped', c: 'stopped', d: 'missing' });
    expect(fake.calls).toEqual([['machine', 'ls', '--json']]);
  });

  it('lists the machines carrying a bottle slug, with their labels, for bottle doctor', async () => {
    const labels = { 'bot-bottle.slug': 'demo-abc12', 'bot-bottle.state-root': '/state' };
    fake.add('claude-bottle-demo-abc12', { labels });
    fake.add('not-ours', { labels: { team: 'x' } });
    expect(await backend.listLabelled!()).toEqual([{ type: 'machine', name: 'claude-bottle-demo-abc12', labels }]);
    expect(fake.calls).toEqual([['machine', 'ls', '--json']]);
  });

  it('removes with delete -f, and a missing machine is gone already', async () => {
    fake.add('a');
    await backend.removeMachine('a', {});
    await backend.removeMachine('a', {});
    expect(fake.machines.size).toBe(0);
  });

  it('has no network objects: a named network exists while members use it', async () => {
    const network = { name: 'claude-bottle-demo-abc12', egress: { name: 'claude-bottle-demo-abc12-egress', subnet: null }, subnet: null, labels: {} };
    expect(await backend.ensureNetwork(network, {})).toEqual({ network: 'claude-bottle-demo-abc12', id: null });
    expect(await backend.networkExists(network)).toBe(true);
    await backend.removeNetwork(network, {});
    expect(fake.calls).toEqual([]);
  });
});

describe('attach', () => {
  it('runs exec -i [-t] with the command after --', () => {
    expect(attachArgs('m', ['claude'], { tty: true, cwd: '/home/node/workspace' })).toEqual([
      'machine', 'exec', '--name', 'm', '-i', '-t', '-w', '/home/node/workspace', '--', 'claude',
    ]);
  });
});

describe('over smolvm serve', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('refuses to start a bottle machine (the API cannot join it to the bottle\'s network) and an interactive session', async () => {
    const remote = createSmolvmBackend({ transport: httpTransport({ url: 'http://127.0.0.1:8080' }), images });
    nock('http://127.0.0.1:8080').get(`/api/v1/machines/${spec.name}`).reply(404, { error: 'not found', code: 'NOT_FOUND' });
    expect((await rejection(remote.startMachine(spec, {}))).code).toBe('SMOLVM_NETWORK_UNSUPPORTED');
    expect((await rejection(remote.attach(spec.name, ['claude'], { user: 'node', tty: true }))).code).toBe('SMOLVM_ATTACH_UNSUPPORTED');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
