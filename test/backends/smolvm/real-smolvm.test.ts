/**
 * The smolvm backend against a real smolvm, when `smolvm` is on PATH (these
 * tests are registered only then; otherwise one test checks that it indeed
 * is not there and says so). They boot our base image (saved from Docker by
 * the image bridge) on a network of their own, and talk to nothing outside
 * this machine.
 */
import { treeEntries } from '../../../lib/backends/guest-files.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmolvmBackend } from '../../../lib/backends/smolvm/backend.js';
import { cliTransport } from '../../../lib/backends/smolvm/cli.js';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';
import { ensureBaseImage } from '../../../lib/images/base-image.js';
import { cacheDir } from '../../../lib/images/paths.js';
import type { Backend, MachineSpec } from '../../../lib/backends/types.js';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

const smolvm = onPath('smolvm');

if (!smolvm) {
  it('smolvm is not on PATH: the real-smolvm integration tests are not run', () => {
    expect(onPath('smolvm')).toBeNull();
    console.log('smolvm not on PATH: real-smolvm integration tests not run');
  });
} else {
  const tag = `bottle-it-${process.pid}`;
  let backend: Backend;
  let work: string;
  let spec: MachineSpec;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'smolvm-real-'));
    backend = createSmolvmBackend({ transport: cliTransport({ binary: smolvm }) });
    spec = {
      name: `${tag}-a`,
      image: await ensureBaseImage(cacheDir(), {}),
      labels: { 'bot-bottle.slug': tag },
      configHash: 'it-1',
      env: { BOTTLE_IT: 'value with spaces' },
      network: tag,
      extraNetworks: [{ name: 'out' }],
      command: ['sleep', 'infinity'],
    };
  }, 600_000);

  afterAll(async () => {
    for (const name of [`${tag}-a`, `${tag}-b`]) await backend.removeMachine(name, {});
  }, 300_000);

  describe('real smolvm, through the CLI', () => {
    it('starts a machine, reuses it, runs commands as root and as another user, copies files and trees in, removes it', async () => {
      const made = await backend.startMachine(spec, {});
      expect(made.created).toBe(true);
      expect((await backend.status([spec.name])).get(spec.name)).toBe('running');
      expect(await backend.startMachine(spec, {})).toEqual({ ...made, created: false });

      expect(await backend.exec(spec.name, ['sh', '-c', 'echo "$BOTTLE_IT"; exit 3'])).toMatchObject({ exitCode: 3, stdout: 'value with spaces' });
      expect((await backend.exec(spec.name, ['id', '-un'], { user: 'nobody' })).stdout.trim()).toBe('nobody');
      expect((await backend.exec(spec.name, ['printenv', 'X'], { env: { X: 'y' } })).stdout.trim()).toBe('y');

      await backend.putFiles(spec.name, { dir: '/root', user: 'root', entries: [{ path: 'file.txt', content: 'secret', mode: 0o600 }] }, {});
      expect((await backend.exec(spec.name, ['stat', '-c', '%a %U', '/root/file.txt'])).stdout.trim()).toBe('600 root');
      expect((await backend.readFile(spec.name, '/root/file.txt', { user: 'root', maxBytes: 100 }))?.toString()).toBe('secret');

      await mkdir(join(work, 'tree', 'sub'), { recursive: true });
      await writeFile(join(work, 'tree', 'sub', 'x'), 'x');
      await backend.exec(spec.name, ['mkdir', '-p', '/opt/trees']);
      await backend.putFiles(spec.name, { dir: '/opt/trees', user: 'root', entries: await treeEntries(join(work, 'tree'), 'tree') }, {});
      expect((await backend.exec(spec.name, ['cat', '/opt/trees/tree/sub/x'])).stdout).toBe('x');

      await backend.removeMachine(spec.name, {});
      await backend.removeMachine(spec.name, {});
      expect((await backend.status([spec.name])).get(spec.name)).toBe('missing');
    }, 600_000);

    it('gives the first machine on a network 100.96.1.2 and the next another address of that network', async () => {
      await backend.startMachine(spec, {});
      await backend.startMachine({ ...spec, name: `${tag}-b`, extraNetworks: [] }, {});
      const first = await backend.exec(spec.name, ['hostname', '-I']);
      const second = await backend.exec(`${tag}-b`, ['hostname', '-I']);
      expect(first.stdout.split(/\s+/)).toContain('100.96.1.2');
      expect(second.stdout).toMatch(/\b100\.96\.\d+\.2\b/);
      expect(second.stdout).not.toContain('100.96.1.2');
    }, 600_000);
  });

  describe('real smolvm serve, through its API', () => {
    let server: ChildProcess;
    let socket: string;

    beforeAll(async () => {
      socket = join(work, 'smolvm.sock');
      server = spawn(smolvm, ['serve', 'start', '-l', `unix://${socket}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      // It prints this once its socket listens [src/cli/serve.rs serve_unix].
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: server.stdout! }).on('line', (line) => line.startsWith('smolvm API server listening on unix://') && resolve());
        server.once('exit', (code) => reject(new Error(`smolvm serve exited ${code} before listening`)));
      });
    }, 120_000);

    afterAll(() => {
      server.kill('SIGTERM');
    });

    it('lists, finds no machine by a new name, and treats deleting it as done', async () => {
      const api = httpTransport({ url: `unix://${socket}` });
      expect(Array.isArray(await api.list({}))).toBe(true);
      expect(await api.get(`${tag}-none`, {})).toBeNull();
      await api.remove(`${tag}-none`, {});
    }, 120_000);
  });
}
