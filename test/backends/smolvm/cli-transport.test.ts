import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { TaskError } from '../../../lib/engine/index.js';
import { rejection as rejectionOf } from '../../helpers/rejection.js';
import { cliTransport } from '../../../lib/backends/smolvm/cli.js';
import type { CreateRequest } from '../../../lib/backends/smolvm/transport.js';
import { fakeSmolvm, type FakeSmolvm } from './fake-smolvm.js';

let fake: FakeSmolvm;
let smolvm: ReturnType<typeof cliTransport>;

beforeEach(() => {
  fake = fakeSmolvm();
  smolvm = cliTransport({ runner: fake.runner, binary: 'smolvm' });
});

const bundle: CreateRequest = {
  name: 'claude-bottle-demo-abc12-bundle',
  image: '/cache/smolvm-images/bot-bottle_bundle-0123456789ab.tar',
  labels: { 'bot-bottle.slug': 'demo-abc12', 'bot-bottle.config': 'f00d', 'bot-bottle.agent': 'demo' },
  env: { TOKEN: 'sekret-1', HOME: '/home/node' },
  cpus: 1.5,
  memoryMiB: 2048,
  networkName: 'claude-bottle-demo-abc12',
  net: true,
  mounts: [{ host: '/state/demo-abc12/bundle', guest: '/etc/bot-bottle', readonly: true }],
};

const rejection = (p: Promise<unknown>) => rejectionOf(p, TaskError);

describe('smolvm CLI transport: create', () => {
  it('passes name, image, sorted labels, resources, network and mounts as flags, and env values through a Smolfile', async () => {
    expect(await smolvm.create(bundle, {})).toBe('created');
    const [args] = fake.calls;
    const smolfile = args![args!.indexOf('--smolfile') + 1]!;
    expect(args).toEqual([
      'machine', 'create', '--name', 'claude-bottle-demo-abc12-bundle',
      '--image', '/cache/smolvm-images/bot-bottle_bundle-0123456789ab.tar',
      '--label', 'bot-bottle.agent=demo', '--label', 'bot-bottle.config=f00d', '--label', 'bot-bottle.slug=demo-abc12',
      '--cpus', '2', '--mem', '2048',
      '--net-backend', 'virtio-net', '--network', 'claude-bottle-demo-abc12', '--net',
      '-v', '/state/demo-abc12/bundle:/etc/bot-bottle:ro',
      '--smolfile', smolfile,
    ]);
    // smolvm read the values from the file; neither argv nor the file's survival shows them.
    expect(fake.machines.get(bundle.name)!.env).toEqual({ TOKEN: 'sekret-1', HOME: '/home/node' });
    expect(JSON.stringify(fake.calls)).not.toContain('sekret-1');
    expect(existsSync(smolfile)).toBe(false);
  });

  it('gives a machine without a way out an allow-list and no --net, and a workload after --', async () => {
    await smolvm.create({ ...bundle, env: {}, net: false, allowCidrs: ['100.96.1.2/32'], mounts: [], command: ['sleep', 'infinity'] }, {});
    expect(fake.calls[0]!.slice(-9)).toEqual([
      '--net-backend', 'virtio-net', '--network', 'claude-bottle-demo-abc12', '--allow-cidr', '100.96.1.2/32', '--', 'sleep', 'infinity',
    ]);
    expect(fake.calls[0]).not.toContain('--smolfile');
  });

  it('reports a taken name as exists: smolvm says "already exists or is being created" and exits 1', async () => {
    fake.add(bundle.name);
    expect(await smolvm.create(bundle, {})).toBe('exists');
  });

  it('fails with smolvm\'s own message otherwise, transient only when smolvm\'s state is busy', async () => {
    fake.failNext('create', { exitCode: 1, stderr: 'Error: config operation failed: --allow-host: could not resolve x\n' });
    const bad = await rejection(smolvm.create(bundle, {}));
    expect(bad.message).toBe('smolvm machine create failed (exit 1): config operation failed: --allow-host: could not resolve x');
    expect(bad).toMatchObject({ code: 'SMOLVM_FAILED', transient: false });
    fake.failNext('create', { exitCode: 1, stderr: 'Error: database not available: database is locked\n' });
    expect(await rejection(smolvm.create(bundle, {}))).toMatchObject({ code: 'SMOLVM_UNAVAILABLE', transient: true });
  });

  it('refuses a mount whose host path smolvm would split at ":"', async () => {
    const error = await rejection(smolvm.create({ ...bundle, mounts: [{ host: '/a:b', guest: '/x', readonly: false }] }, {}));
    expect(error.code).toBe('BAD_MOUNT');
    expect(fake.calls).toEqual([]);
  });
});

describe('smolvm CLI transport: lifecycle', () => {
  it('starts by name, and a running machine starts again with exit 0', async () => {
    fake.add('m', { state: 'stopped' });
    await smolvm.start('m', {});
    await smolvm.start('m', {});
    expect(fake.calls).toEqual([['machine', 'start', '--name', 'm'], ['machine', 'start', '--name', 'm']]);
    expect(fake.machines.get('m')!.state).toBe('running');
  });

  it('says which machine is missing on start', async () => {
    const error = await rejection(smolvm.start('ghost', {}));
    expect(error).toMatchObject({ code: 'MACHINE_MISSING', message: 'there is no smolvm machine ghost to start' });
  });

  it('deletes with --name and -f (without -f smolvm would ask, and cancel), a missing machine being done', async () => {
    fake.add('m');
    await smolvm.remove('m', {});
    expect(fake.calls[0]).toEqual(['machine', 'delete', '--name', 'm', '-f']);
    expect(fake.machines.has('m')).toBe(false);
    await smolvm.remove('m', {});
    fake.failNext('delete', { exitCode: 1, stderr: "Error: agent operation failed: delete: fork base 'm' has clones\n" });
    expect((await rejection(smolvm.remove('m', {}))).code).toBe('SMOLVM_FAILED');
  });

  it('reads one machine with status --json (null when smolvm says not found) and all with ls --json', async () => {
    expect(await smolvm.get('m', {})).toBeNull();
    fake.add('m', { labels: { 'bot-bottle.config': 'f00d' }, createdAt: 1234 });
    fake.add('n', { state: 'stopped' });
    expect(await smolvm.get('m', {})).toEqual({ name: 'm', state: 'running', createdAt: 1234, labels: { 'bot-bottle.config': 'f00d' } });
    expect((await smolvm.list({})).map((m) => [m.name, m.state])).toEqual([['m', 'running'], ['n', 'stopped']]);
    expect(fake.calls).toEqual([
      ['machine', 'status', '--name', 'm', '--json'],
      ['machine', 'status', '--name', 'm', '--json'],
      ['machine', 'ls', '--json'],
    ]);
  });

  it('fails plainly when the smolvm binary is not there', async () => {
    const missing = cliTransport({ binary: join(tmpdir(), 'no-such-dir', 'smolvm') });
    const error = await rejection(missing.list({}));
    expect(error.code).toBe('SMOLVM_MISSING');
    expect(error.message).toMatch(/install smolvm, set BOTTLE_SMOLVM .* or set BOTTLE_SMOLVM_URL/);
  });
});

describe('smolvm CLI transport: exec and cp', () => {
  it('runs argv after --, env through aliased variables of smolvm\'s environment, the guest\'s exit code as the result', async () => {
    fake.add('m');
    fake.guest = () => ({ exitCode: 3, stdout: 'out\n', stderr: 'Error: from the guest, not smolvm\n' });
    const result = await smolvm.exec('m', ['sh', '-c', 'exit 3'], { env: { HOME: '/home/node', TOKEN: 'sekret-2' }, cwd: '/work' });
    expect(result).toEqual({ exitCode: 3, stdout: 'out', stderr: 'Error: from the guest, not smolvm' });
    expect(fake.calls[0]).toEqual([
      'machine', 'exec', '--name', 'm', '--secret-env', 'HOME=BOTTLE_GUEST_ENV_0', '--secret-env', 'TOKEN=BOTTLE_GUEST_ENV_1', '-w', '/work', '--', 'sh', '-c', 'exit 3',
    ]);
    expect(fake.guestCalls[0]!.env).toMatchObject({ HOME: '/home/node', TOKEN: 'sekret-2' });
  });

  it('throws on smolvm\'s own failure even though the exit code is 1, like a guest\'s', async () => {
    fake.add('m', { state: 'stopped' });
    const error = await rejection(smolvm.exec('m', ['true'], {}));
    expect(error.message).toBe(
      "smolvm machine exec failed (exit 1): agent operation failed: connect: machine 'm' is not running. Use 'smolvm machine start --name m' first.",
    );
  });

  it('uploads one file with mode and owner: machine cp SRC NAME:PATH --mode --uid --gid', async () => {
    fake.add('m');
    const dir = await mkdtemp(join(tmpdir(), 'smolvm-cp-'));
    await writeFile(join(dir, 'prompt.txt'), 'hello');
    await smolvm.upload('m', join(dir, 'prompt.txt'), '/home/node/p.txt', { mode: 0o600, uid: 1000, gid: 1000 });
    expect(fake.calls[0]).toEqual(['machine', 'cp', join(dir, 'prompt.txt'), 'm:/home/node/p.txt', '--mode', '600', '--uid', '1000', '--gid', '1000']);
    expect(fake.uploads[0]).toMatchObject({ machine: 'm', path: '/home/node/p.txt', mode: '600', uid: '1000', gid: '1000' });
    expect(fake.uploads[0]!.content.toString()).toBe('hello');
  });

  it('refuses a host path with ":", which smolvm would read as a download', async () => {
    const error = await rejection(smolvm.upload('m', '/tmp/a:b', '/x', { mode: 0o644, uid: 0, gid: 0 }));
    expect(error.code).toBe('BAD_PATH');
    expect(fake.calls).toEqual([]);
  });
});

describe('the fake smolvm itself', () => {
  it('rejects flags smolvm does not have, as clap does (exec has no -n)', async () => {
    const result = await fake.runner('smolvm', ['machine', 'exec', '-n', 'm', '--', 'true']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unexpected argument '-n' found");
  });
});
