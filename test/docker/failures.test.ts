/**
 * Which failed Engine API calls bottle sends again (transient) and which it
 * reports at once, read from the errors real dockerode gives for a fake
 * engine's answers in dockerd's words, and for sockets that do not answer.
 */
import Docker from 'dockerode';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerError } from '../../lib/docker/client.js';
import { failureOf, isNotFound, saidBy } from '../../lib/docker/failures.js';
import { tempDir } from '../state/temp-dir.js';
import { startFakeEngine, type FakeEngine } from './fake-engine.js';

let engine: FakeEngine;
let docker: Docker;

beforeAll(async () => {
  engine = await startFakeEngine();
  docker = new Docker({ socketPath: engine.socketPath });
});
afterAll(() => engine.close());

const failureFrom = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('an answer from the engine', () => {
  it.each([
    [500, 'context deadline exceeded', 'busy'],
    [503, 'connection error: desc = "transport: Error while dialing: dial unix:///run/containerd/containerd.sock: timeout": unavailable', 'busy'],
    [409, 'removal of container c1 is already in progress', 'busy'],
    [409, 'Container c1 is restarting, wait until the container is running', 'busy'],
    [409, 'Conflict. The container name "/c1" is already in use by container "0123abcd". You have to remove (or rename) that container to be able to reuse that name.', 'permanent'],
    [404, 'No such image: bot-bottle/does-not-exist:1', 'permanent'],
    [400, 'invalid reference format: repository name must be lowercase', 'permanent'],
  ] as const)('%i "%s" is %s', async (status, message, kind) => {
    engine.answer('POST /containers/create', { status, message });
    const error = await failureFrom(docker.createContainer({ name: 'c1', Image: 'x' }));
    expect(failureOf(error)).toBe(kind);
    const said = dockerError('docker create c1', error);
    expect(said.transient).toBe(kind === 'busy');
    expect(said.message).toContain(`docker create c1 failed: ${message}`);
  });

  it('keeps the answer readable through the TaskError: a 404 is still a 404', async () => {
    engine.answer('GET /images/nope/json', { status: 404, message: 'No such image: nope' });
    const said = dockerError('docker image inspect nope', await failureFrom(docker.getImage('nope').inspect()));
    expect(isNotFound(said)).toBe(true);
    expect(saidBy(said)).toBe('No such image: nope');
    expect(said.code).toBe('DOCKER_FAILED');
  });
});

describe('no answer', () => {
  it('a connection closed before the answer is dropped: transient, and said so', async () => {
    engine.answer('GET /containers/json', 'hang-up');
    const error = await failureFrom(docker.listContainers());
    expect(failureOf(error)).toBe('dropped');
    const said = dockerError('list containers', error);
    expect(said).toMatchObject({ transient: true, code: 'DOCKER_DROPPED' });
    expect(said.message).toMatch(/closed the connection before it answered \(ECONNRESET\)/);
  });

  it('no socket file (a stopped dockerd) is unreachable: transient, and says to start Docker', async () => {
    const error = await failureFrom(new Docker({ socketPath: join(await tempDir(), 'docker.sock') }).listContainers());
    expect(failureOf(error)).toBe('unreachable');
    const said = dockerError('list containers', error);
    expect(said).toMatchObject({ transient: true, code: 'DOCKER_UNAVAILABLE' });
    expect(said.message).toMatch(/cannot reach the Docker Engine .*ENOENT; start Docker/);
  });

  it('a socket path nothing listens on is unreachable', async () => {
    const path = join(await tempDir(), 'docker.sock');
    await writeFile(path, '');
    const error = await failureFrom(new Docker({ socketPath: path }).listContainers());
    expect(failureOf(error)).toBe('unreachable');
  });

  it('our own abort is cancelled, never retried', async () => {
    const error = await failureFrom(docker.listContainers({ abortSignal: AbortSignal.abort() }));
    expect(failureOf(error)).toBe('cancelled');
    expect(dockerError('list containers', error)).toMatchObject({ transient: false, code: 'CANCELLED' });
  });

  it('a missing file the call reads (a build context) is permanent, not a missing socket', async () => {
    const error = await failureFrom(readFile(join(await tempDir(), 'Dockerfile')));
    expect(failureOf(error)).toBe('permanent');
  });
});
