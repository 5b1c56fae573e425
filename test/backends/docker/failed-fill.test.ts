/**
 * A new container whose filling fails before its first start (its files
 * could not be read or put) is removed, so the next attempt makes it whole
 * instead of taking up a container Docker may not be able to read. Real
 * dockerd.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../lib/backends/docker/index.js';
import type { MachineSpec, NetworkSpec } from '../../../lib/backends/types.js';
import { dockerOut } from '../../helpers/docker.js';

const slug = `fill-${randomBytes(3).toString('hex')}`;
const labels = { 'bot-bottle.slug': slug, 'bot-bottle.test': '1' };
const network: NetworkSpec = {
  name: `bottle-test-${slug}`,
  egress: { name: `bottle-test-${slug}-out`, subnet: null },
  subnet: `10.253.${randomBytes(1)[0]}.${16 * (randomBytes(1)[0]! % 16)}/28`,
  labels,
};

afterAll(async () => {
  await dockerOut(['rm', '-f', `bottle-test-${slug}-agent`]);
  for (const name of [network.name, network.egress.name]) await dockerOut(['network', 'rm', name]);
});

describe('a new container whose files fail to go in', () => {
  it('is removed, and the next attempt makes it and starts it', async () => {
    let reads = 0;
    const spec: MachineSpec = {
      name: `bottle-test-${slug}-agent`,
      image: 'bot-bottle/base:bookworm',
      labels,
      configHash: 'one',
      env: {},
      network: network.name,
      command: ['sleep', 'infinity'],
      initialFiles: async (read) => {
        reads++;
        await read('/etc/passwd', 1 << 20);
        if (reads === 1) throw new Error('read /etc/passwd failed: server error (HTTP 500)');
        return [];
      },
    };
    const backend = createDockerBackend();
    await backend.ensureNetwork(network, {});
    await expect(backend.startMachine(spec, {})).rejects.toThrow(/HTTP 500/);
    expect((await dockerOut(['ps', '-a', '--filter', `name=^${spec.name}$`, '--format', '{{.Names}}'])).stdout.trim()).toBe('');
    const info = await backend.startMachine(spec, {});
    expect(info.created).toBe(true);
    expect((await dockerOut(['inspect', '-f', '{{.State.Running}}', spec.name])).stdout.trim()).toBe('true');
    expect(reads).toBe(2);
  });
});
