/**
 * `bottle up --dry-run` on smolvm: the backend on a recording runner records
 * what a first real run would do, in order, and runs nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dryRunSmolvmBackend, recordingRunner } from '../../../lib/backends/smolvm/dry-run.js';
import type { Backend } from '../../../lib/backends/types.js';

let cache: string;
let commands: string[][];
let backend: Backend;

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'smolvm-dry-'));
  process.env.BOTTLE_CACHE_DIR = cache;
  commands = [];
  backend = dryRunSmolvmBackend((file, args) => commands.push([file, ...args]));
});

describe('a dry run', () => {
  it('records docker save, create and start for a bundle nobody has made yet, and runs none of them', async () => {
    const info = await backend.startMachine(
      {
        name: 'claude-bottle-demo-abc12-bundle',
        image: 'bot-bottle/bundle:abc',
        labels: { 'bot-bottle.slug': 'demo-abc12' },
        configHash: '0123456789abcdef',
        env: {},
        network: 'claude-bottle-demo-abc12',
        ip: '100.96.1.2',
        extraNetworks: [{ name: 'claude-bottle-demo-abc12-egress' }],
      },
      {},
    );
    expect(info.created).toBe(true);
    const archive = join(cache, 'smolvm-images', 'bot-bottle_bundle-000000000000.tar');
    expect(commands).toEqual([
      ['docker', 'build', '--tag', 'bot-bottle/smolvm-root:000000000000', '-'],
      ['docker', 'save', '--output', `${archive}.partial`, 'bot-bottle/smolvm-root:000000000000'],
      ['smolvm', 'machine', 'create', '--name', 'claude-bottle-demo-abc12-bundle', '--image', archive,
        '--label', 'bot-bottle.config=0123456789abcdef', '--label', 'bot-bottle.slug=demo-abc12',
        '--net-backend', 'virtio-net', '--network', 'claude-bottle-demo-abc12', '--net'],
      ['smolvm', 'machine', 'start', '--name', 'claude-bottle-demo-abc12-bundle'],
    ]);
    expect(existsSync(`${archive}.partial`) || existsSync(archive)).toBe(false);
  });

  it('then sees the machine it recorded: exec and copies go ahead, status says running', async () => {
    commands.length = 0;
    await backend.exec('claude-bottle-demo-abc12-bundle', ['curl', '-fsS', 'http://127.0.0.1:3128/health']);
    expect(Object.fromEntries(await backend.status(['claude-bottle-demo-abc12-bundle', 'other']))).toEqual({
      'claude-bottle-demo-abc12-bundle': 'running',
      other: 'missing',
    });
    await backend.removeMachine('claude-bottle-demo-abc12-bundle', {});
    expect(commands.map((c) => c.slice(0, 3).join(' '))).toEqual(['smolvm machine exec', 'smolvm machine delete']);
  });

  it('answers probes in smolvm\'s words: nothing exists at first', async () => {
    const runner = recordingRunner(() => {});
    expect(await runner('smolvm', ['machine', 'ls', '--json'])).toMatchObject({ exitCode: 0, stdout: '[]' });
    expect(await runner('smolvm', ['machine', 'status', '--name', 'x', '--json'])).toMatchObject({
      exitCode: 1,
      stderr: "Error: config operation failed: machine status: machine 'x' not found",
    });
  });
});
