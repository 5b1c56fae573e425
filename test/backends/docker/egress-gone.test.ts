/**
 * The shared egress network removed between a run's network task and its
 * bundle's start (another run's `down` of the last bundle on it): the start
 * fails transient, naming the network, and the next attempt (ensureNetwork,
 * then start again, as the daemons task's retry does) makes it again and a
 * container on both networks. Real dockerd.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerBackend } from '../../../lib/backends/docker/index.js';
import type { MachineSpec, NetworkSpec } from '../../../lib/backends/types.js';
import { TaskError } from '../../../lib/engine/index.js';
import { dockerOut } from '../../helpers/docker.js';
import { rejection } from '../../helpers/rejection.js';

const slug = `egress-gone-${randomBytes(3).toString('hex')}`;
const labels = { 'bot-bottle.slug': slug, 'bot-bottle.test': '1' };
const network: NetworkSpec = {
  name: `bottle-test-${slug}`,
  egress: { name: `bottle-test-${slug}-out`, subnet: null },
  subnet: `10.252.${randomBytes(1)[0]}.${16 * (randomBytes(1)[0]! % 16)}/28`,
  labels,
};
const spec: MachineSpec = {
  name: `bottle-test-${slug}-bundle`,
  image: 'bot-bottle/base:bookworm',
  labels,
  configHash: 'one',
  env: {},
  network: network.name,
  extraNetworks: [{ name: network.egress.name }],
  command: ['sleep', 'infinity'],
};

afterAll(async () => {
  await dockerOut(['rm', '-f', spec.name]);
  for (const name of [network.name, network.egress.name]) await dockerOut(['network', 'rm', name]);
});

describe('the egress network gone before the bundle starts', () => {
  it('fails the start transient, naming it; the next attempt makes it again and starts the bundle on both networks', async () => {
    const backend = createDockerBackend();
    await backend.ensureNetwork(network, {});
    expect((await dockerOut(['network', 'rm', network.egress.name])).exitCode).toBe(0);
    const error = await rejection(backend.startMachine(spec, {}), TaskError);
    expect(error.code).toBe('NETWORK_GONE');
    expect(error.transient).toBe(true);
    expect(error.message).toContain(network.egress.name);
    await backend.ensureNetwork(network, {});
    const info = await backend.startMachine(spec, {});
    expect(info.created).toBe(true);
    const nets = await dockerOut(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', spec.name]);
    expect(nets.stdout.trim().split(' ').sort()).toEqual([network.name, network.egress.name].sort());
    expect((await dockerOut(['inspect', '-f', '{{.State.Running}}', spec.name])).stdout.trim()).toBe('true');
  });
});
