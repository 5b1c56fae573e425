/**
 * The backends of a run: one instance per kind, and Docker's one per
 * engine, each asking its own engine and keeping its own inventory; the
 * process's engine is the same instance whichever way it is asked for.
 * Fake engines on unix sockets stand for the engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsForRun } from '../../lib/backends/registry.js';
import { parseDockerHost, type Endpoint } from '../../lib/docker/endpoint.js';
import { startFakeEngine, type FakeEngine } from '../docker/fake-engine.js';

let home: FakeEngine;
let b: FakeEngine;
let atB: Endpoint;

const container = (name: string) => ({ Id: `${name}-id`, Names: [`/${name}`], State: 'running', Labels: { 'bot-bottle.slug': name }, ImageID: 'sha256:0' });

beforeAll(async () => {
  [home, b] = await Promise.all([startFakeEngine(), startFakeEngine()]);
  process.env.DOCKER_HOST = `unix://${home.socketPath}`;
  atB = parseDockerHost(`unix://${b.socketPath}`, 'hosts.b');
});
afterAll(() => Promise.all([home, b].map((e) => e?.close())));

describe('the backends of a run', () => {
  it('give one instance per kind, and one Docker backend per engine', () => {
    const run = backendsForRun();
    expect(run('docker')).toBe(run('docker'));
    expect(run.dockerBackendFor(atB)).toBe(run.dockerBackendFor(parseDockerHost(`unix://${b.socketPath}`, 'b by another name')));
    expect(run.dockerBackendFor(atB)).not.toBe(run('docker'));
    expect(run.dockerBackendFor(parseDockerHost(`unix://${home.socketPath}`, 'hosts.home'))).toBe(run('docker'));
    expect(backendsForRun().dockerBackendFor(atB)).not.toBe(run.dockerBackendFor(atB));
  });

  it('ask each its own engine once for their inventories, never mixing them', async () => {
    home.answer('GET /containers/json', { status: 200, body: [container('on-home')] });
    b.answer('GET /containers/json', { status: 200, body: [container('on-b')] });
    const run = backendsForRun();
    const names = ['on-home', 'on-b'];
    const [fromHome, fromB] = await Promise.all([run('docker').status(names), run.dockerBackendFor(atB).status(names)]);
    expect(Object.fromEntries(fromHome)).toEqual({ 'on-home': 'running', 'on-b': 'missing' });
    expect(Object.fromEntries(fromB)).toEqual({ 'on-home': 'missing', 'on-b': 'running' });
    await run.dockerBackendFor(atB).status(names);
    expect([home.seen, b.seen]).toEqual([['GET /containers/json'], ['GET /containers/json']]);
  });
});
