/**
 * `bottle cp` and `bottle port` on the smolvm backend, at the process
 * boundary (the fake smolvm binary): what runs as root and what as the
 * agent's user, what crosses with `machine cp`, that the staging directory
 * always goes, and a streamed command over `machine exec -i` (a stand-in
 * binary that runs the command) or refused over `smolvm serve`. The guest
 * scripts themselves run for real in test/backends/guest-copy.test.ts.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskError } from '../../../lib/engine/index.js';
import { packArgv, stageArgv, stageOutArgv, unpackIntoArgv } from '../../../lib/backends/guest-copy.js';
import { createSmolvmBackend } from '../../../lib/backends/smolvm/backend.js';
import { cliTransport } from '../../../lib/backends/smolvm/cli.js';
import { unwrapUser } from '../../../lib/backends/smolvm/guest.js';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';
import type { Backend } from '../../../lib/backends/types.js';
import { rejection as rejectionOf } from '../../helpers/rejection.js';
import { fakeSmolvm, type FakeSmolvm } from './fake-smolvm.js';

const NAME = 'claude-bottle-demo-abc12';
let fake: FakeSmolvm;
let backend: Backend;
let host: string;

const rejection = (p: Promise<unknown>) => rejectionOf(p, TaskError);
/** Each guest command as the user it ran as and its argv. */
const guestRuns = () => fake.guestCalls.map((c) => unwrapUser(c.argv));

beforeEach(async () => {
  host = await mkdtemp(join(tmpdir(), 'bottle-smolvm-copies-'));
  fake = fakeSmolvm();
  fake.add(NAME);
  backend = createSmolvmBackend({ transport: cliTransport({ runner: fake.runner, binary: 'smolvm' }), runner: fake.runner, images: { resolve: async (i) => i } });
});
afterEach(async () => {
  await rm(host, { recursive: true, force: true });
});

describe('copyOut', () => {
  it("has the user pack into a file root staged for it, brings that out with machine cp, and removes the staging directory", async () => {
    fake.guest = (call) => {
      const { argv } = unwrapUser(call.argv);
      // The user's tar writes the archive: here, its bytes appear where machine cp reads them.
      if (argv[2] === packArgv('', '')[2]) fake.guestFiles.set(`${NAME}:${argv[5]}`, Buffer.from('the archive'));
      return {};
    };
    const archive = join(host, 'out.tar');
    await backend.copyOut(NAME, '/home/node/workspace/tree', archive, { user: 'node' });
    expect(await readFile(archive, 'utf8')).toBe('the archive');
    const dir = guestRuns()[0]!.argv[4]!;
    expect(dir).toMatch(/^\/tmp\/\.bot-bottle-cp-[0-9a-f]{16}$/);
    expect(guestRuns()).toEqual([
      { user: null, argv: stageOutArgv(dir, 'out.tar', 'node') },
      { user: 'node', argv: packArgv('/home/node/workspace/tree', `${dir}/out.tar`) },
      { user: null, argv: ['rm', '-rf', '--', dir] },
    ]);
    expect(fake.calls).toContainEqual(['machine', 'cp', `${NAME}:${dir}/out.tar`, archive]);
  });

  it('says a guest path that is not there as NO_SUCH_PATH, and still removes the staging directory', async () => {
    fake.guest = (call) => (unwrapUser(call.argv).user === 'node' ? { exitCode: 3, stderr: 'no such file or directory: /home/node/workspace/x\n' } : {});
    const error = await rejection(backend.copyOut(NAME, '/home/node/workspace/x', join(host, 'out.tar'), { user: 'node' }));
    expect(error.code).toBe('NO_SUCH_PATH');
    expect(error.message).toContain('no such file or directory: /home/node/workspace/x');
    expect(guestRuns().at(-1)!.argv.slice(0, 3)).toEqual(['rm', '-rf', '--']);
  });
});

describe('copyIn', () => {
  it("uploads the archive as root's readable file into a fresh directory, has the user unpack it, and removes the directory", async () => {
    const archive = join(host, 'in.tar');
    await writeFile(archive, 'tar bytes');
    await backend.copyIn(NAME, { file: archive, top: 'tree' }, '/home/node/workspace/dest', { user: 'node' });
    const dir = guestRuns()[0]!.argv[4]!;
    expect(fake.uploads).toEqual([{ machine: NAME, path: `${dir}/in.tar`, content: Buffer.from('tar bytes'), mode: '644', uid: '0', gid: '0' }]);
    expect(guestRuns()).toEqual([
      { user: null, argv: stageArgv(dir) },
      { user: 'node', argv: unpackIntoArgv('/home/node/workspace/dest', `${dir}/in.tar`, 'tree') },
      { user: null, argv: ['rm', '-rf', '--', dir] },
    ]);
  });

  it('says a destination it cannot take as COPY_REFUSED', async () => {
    const archive = join(host, 'in.tar');
    await writeFile(archive, 'tar bytes');
    fake.guest = (call) => (unwrapUser(call.argv).user === 'node' ? { exitCode: 3, stderr: 'no such directory: /nope\n' } : {});
    const error = await rejection(backend.copyIn(NAME, { file: archive, top: 'tree' }, '/nope/x', { user: 'node' }));
    expect(error.code).toBe('COPY_REFUSED');
  });

  it('refuses a machine that is not running, before anything is staged', async () => {
    fake.machines.get(NAME)!.state = 'stopped';
    const error = await rejection(backend.copyIn(NAME, { file: join(host, 'in.tar'), top: 'x' }, '/x', { user: 'node' }));
    expect(error.code).toBe('MACHINE_NOT_RUNNING');
    expect(fake.guestCalls).toEqual([]);
  });
});

describe('execStream', () => {
  it('runs the command as the user under `machine exec -i`, its stdin and stdout streamed, and stop ends it', async () => {
    // A stand-in smolvm for the stream: records its argv, then echoes stdin (the fake answers the status probe).
    const binary = join(host, 'smolvm');
    await writeFile(binary, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(host, 'argv')}"\nexec cat\n`);
    await chmod(binary, 0o755);
    backend = createSmolvmBackend({ transport: cliTransport({ runner: fake.runner, binary }), runner: fake.runner, images: { resolve: async (i) => i } });
    const relay = await backend.execStream(NAME, ['node', '-e', 'relay', '8000'], { user: 'node' });
    const echoed = new Promise<string>((resolve) => relay.stdout.once('data', (c: Buffer) => resolve(c.toString())));
    relay.stdin.write('ping');
    expect(await echoed).toBe('ping');
    await relay.stop();
    await relay.ended;
    const argv = (await readFile(join(host, 'argv'), 'utf8')).trimEnd().split('\n');
    expect(argv.slice(0, 6)).toEqual(['machine', 'exec', '--name', NAME, '-i', '--']);
    expect(unwrapUser(argv.slice(6))).toEqual({ user: 'node', argv: ['node', '-e', 'relay', '8000'] });
  });

  it('over smolvm serve is refused, saying what to do', async () => {
    const served = createSmolvmBackend({ transport: httpTransport({ url: 'unix:///nonexistent/smolvm.sock' }), runner: fake.runner, images: { resolve: async (i) => i } });
    const error = await rejection(served.execStream(NAME, ['true'], { user: 'node' }));
    expect(error.code).toBe('SMOLVM_STREAM_UNSUPPORTED');
    expect(error.message).toContain('unset BOTTLE_SMOLVM_URL');
  });
});
