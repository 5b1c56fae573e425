/**
 * `bottle stop` and `bottle start` on smolvm, at its boundaries: the CLI
 * transport over the fake smolvm binary, the serve API over nock. A stop
 * keeps the machine (a later start is the same machine, same id); a stop of
 * one stopped or gone is done; a start of one gone says to bring it up.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TaskError } from '../../../lib/engine/index.js';
import { createSmolvmBackend } from '../../../lib/backends/smolvm/backend.js';
import { cliTransport } from '../../../lib/backends/smolvm/cli.js';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';
import type { ImageBridge } from '../../../lib/backends/smolvm/image-archive.js';
import type { Backend, MachineSpec } from '../../../lib/backends/types.js';
import { rejection } from '../../helpers/rejection.js';
import { fakeSmolvm, type FakeSmolvm } from './fake-smolvm.js';

let fake: FakeSmolvm;
let backend: Backend;
const images: ImageBridge = { resolve: async (image) => `/cache/${image.replace(/\W/g, '_')}.tar` };

const spec: MachineSpec = {
  name: 'claude-bottle-demo-abc12',
  image: 'bot-bottle/agent:1',
  labels: { 'bot-bottle.slug': 'demo-abc12' },
  configHash: 'c0ffee00c0ffee00',
  env: { HOME: '/home/node' },
  network: 'claude-bottle-demo-abc12',
};

describe('smolvm CLI: stopMachine and resumeMachine', () => {
  beforeEach(() => {
    fake = fakeSmolvm();
    backend = createSmolvmBackend({ transport: cliTransport({ runner: fake.runner, binary: 'smolvm' }), runner: fake.runner, images });
  });

  it('stops a running machine and keeps it; resume starts that same machine, and startMachine after reuses it with the same id', async () => {
    const made = await backend.startMachine(spec, {});
    await backend.stopMachine(spec.name, {});
    expect(fake.machines.get(spec.name)?.state).toBe('stopped');
    expect((await backend.status([spec.name], { fresh: true })).get(spec.name)).toBe('stopped');
    await backend.resumeMachine(spec.name, {});
    expect(fake.machines.get(spec.name)?.state).toBe('running');
    await backend.stopMachine(spec.name, {});
    expect(await backend.startMachine(spec, {})).toEqual({ ...made, created: false });
    expect(fake.calls.filter((c) => c[1] === 'create' || c[1] === 'delete')).toHaveLength(1);
  });

  it('takes a stop of a machine stopped already, or gone, as done', async () => {
    fake.add(spec.name, { state: 'stopped' });
    await backend.stopMachine(spec.name, {});
    await backend.stopMachine('claude-bottle-gone-zzzzz', {});
    expect(fake.calls.filter((c) => c[1] === 'stop')).toHaveLength(2);
  });

  it('refuses to resume a machine that is gone, and says to bring the bottle up', async () => {
    const error = await rejection(backend.resumeMachine('claude-bottle-gone-zzzzz', {}), TaskError);
    expect(error.code).toBe('MACHINE_MISSING');
    expect(error.message).toBe('there is no smolvm machine claude-bottle-gone-zzzzz to start; run `bottle up` to make it anew');
  });
});

describe('smolvm serve: stop', () => {
  const URL = 'http://127.0.0.1:8080';
  const smolvm = httpTransport({ url: URL });
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  it('POSTs /stop; a machine that is not there is not running either', async () => {
    nock(URL).post('/api/v1/machines/m/stop').reply(200, {});
    await smolvm.stop('m', {});
    nock(URL).post('/api/v1/machines/gone/stop').reply(404, { error: 'machine not found: gone', code: 'NOT_FOUND' });
    await smolvm.stop('gone', {});
  });
});
