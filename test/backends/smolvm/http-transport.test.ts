/**
 * The `smolvm serve` API at its HTTP boundary (nock): methods, paths and body
 * shapes from smolvm's src/api/types.rs and src/api/mod.rs, and its error
 * replies — `{error, code}` from src/api/errors.rs, and the bare 408 of its
 * TimeoutLayer.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../../lib/engine/index.js';
import { rejection as rejectionOf } from '../../helpers/rejection.js';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';
import { parseApiUrl } from '../../../lib/backends/smolvm/http-client.js';

const URL = 'http://127.0.0.1:8080';
const api = () => nock(URL);
const smolvm = httpTransport({ url: URL });

/** MachineInfo as smolvm serves it (camelCase) [src/api/types.rs]. */
const info = (name: string, state = 'running') => ({
  name, state, cpus: 4, memoryMb: 8192, pid: state === 'running' ? 4242 : null, mounts: [], ports: [], network: true, gpu: false, cuda: false,
  storageGb: 20, overlayGb: 10, forkable: false, forkpointHeld: false, createdAt: 1_700_000_123,
});
const failure = (code: string, error: string) => ({ error, code });

/** ExecRequest is deny_unknown_fields: any other key is a 400. */
const EXEC_FIELDS = ['command', 'env', 'secrets', 'workdir', 'timeoutSecs', 'stdin', 'background'];

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

const rejection = (p: Promise<unknown>) => rejectionOf(p, TaskError);

describe('smolvm serve transport: create', () => {
  const request = {
    name: 'm', image: 'registry.example/agent:1', labels: { 'bot-bottle.config': 'f00d' }, env: { TOKEN: 'sekret-3' }, cpus: 1.5, memoryMiB: 2048,
    allowCidrs: ['100.96.1.2/32'], mounts: [{ host: '/state/x', guest: '/etc/bot-bottle', readonly: true }], command: ['sleep', 'infinity'],
  };

  it('POSTs a CreateMachineRequest in camelCase; labels have no field and are left out', async () => {
    api()
      .post('/api/v1/machines', {
        name: 'm', image: 'registry.example/agent:1', cpus: 2, memoryMb: 2048, network: true, networkBackend: 'virtio-net', allowedCidrs: ['100.96.1.2/32'],
        env: [{ name: 'TOKEN', value: 'sekret-3' }], mounts: [{ source: '/state/x', target: '/etc/bot-bottle', readonly: true }], cmd: ['sleep', 'infinity'],
      })
      .matchHeader('content-type', 'application/json')
      .reply(200, info('m', 'created'));
    expect(await smolvm.create(request, {})).toBe('created');
  });

  it('takes 409 CONFLICT for a name that exists', async () => {
    api().post('/api/v1/machines').reply(409, failure('CONFLICT', "machine 'm' already exists"));
    expect(await smolvm.create(request, {})).toBe('exists');
  });

  it('fails a bad request at once, with smolvm\'s message', async () => {
    api().post('/api/v1/machines').reply(400, failure('BAD_REQUEST', 'image must be pulled from a registry and the machine has no network'));
    const error = await rejection(smolvm.create(request, {}));
    expect(error).toMatchObject({ code: 'SMOLVM_BAD_REQUEST', transient: false });
    expect(error.message).toBe(
      'smolvm serve: POST /api/v1/machines failed (400 BAD_REQUEST): image must be pulled from a registry and the machine has no network',
    );
  });

  it('refuses, without a request, a named network: the API has no field for one', async () => {
    const error = await rejection(smolvm.create({ ...request, networkName: 'claude-bottle-x' }, {}));
    expect(error.code).toBe('SMOLVM_NETWORK_UNSUPPORTED');
    expect(error.message).toContain('unset BOTTLE_SMOLVM_URL');
  });
});

describe('smolvm serve transport: lifecycle', () => {
  it('starts with POST /start; 404 names the missing machine', async () => {
    api().post('/api/v1/machines/m/start').reply(200, info('m'));
    await smolvm.start('m', {});
    api().post('/api/v1/machines/ghost/start').reply(404, failure('NOT_FOUND', "machine 'ghost' not found"));
    expect(await rejection(smolvm.start('ghost', {}))).toMatchObject({ code: 'MACHINE_MISSING', transient: false });
  });

  it('retries a 408 from the timeout layer (no body) and a 503, not a 409', async () => {
    api().post('/api/v1/machines/m/start').reply(408);
    const timeout = await rejection(smolvm.start('m', {}));
    expect(timeout).toMatchObject({ code: 'SMOLVM_TIMEOUT', transient: true });
    expect(timeout.message).toBe('smolvm serve: POST /api/v1/machines/m/start failed (408 TIMEOUT): HTTP 408');
    api().post('/api/v1/machines/m/start').reply(503, failure('UNAVAILABLE', 'blocking pool wedged'));
    expect(await rejection(smolvm.start('m', {}))).toMatchObject({ code: 'SMOLVM_UNAVAILABLE', transient: true });
    api().post('/api/v1/machines/m/start').reply(409, failure('CONFLICT', "machine 'm' is frozen"));
    expect(await rejection(smolvm.start('m', {}))).toMatchObject({ code: 'SMOLVM_CONFLICT', transient: false });
  });

  it('deletes with DELETE, a missing machine (404) being done', async () => {
    api().delete('/api/v1/machines/m').reply(200, { deleted: 'm' });
    api().delete('/api/v1/machines/ghost').reply(404, failure('NOT_FOUND', "machine 'ghost' not found"));
    await smolvm.remove('m', {});
    await smolvm.remove('ghost', {});
  });

  it('does not take a 409 on delete (a fork base with clones) as done', async () => {
    api().delete('/api/v1/machines/m').reply(409, failure('CONFLICT', "machine 'm' has clones"));
    expect(await rejection(smolvm.remove('m', {}))).toMatchObject({ code: 'SMOLVM_CONFLICT' });
  });

  it('reads one machine (404: none) and all, without labels (the API keeps none)', async () => {
    api().get('/api/v1/machines/m').reply(200, info('m'));
    api().get('/api/v1/machines/ghost').reply(404, failure('NOT_FOUND', "machine 'ghost' not found"));
    api().get('/api/v1/machines').reply(200, { machines: [info('m'), info('n', 'stopped')] });
    expect(await smolvm.get('m', {})).toEqual({ name: 'm', state: 'running', createdAt: 1_700_000_123, labels: null });
    expect(await smolvm.get('ghost', {})).toBeNull();
    expect((await smolvm.list({})).map((m) => m.state)).toEqual(['running', 'stopped']);
  });

  it('encodes names and paths', async () => {
    api().get('/api/v1/machines/a%20b').reply(404, failure('NOT_FOUND', 'x'));
    expect(await smolvm.get('a b', {})).toBeNull();
  });

  it('calls a refused connection transient and says where it tried', async () => {
    api().get('/api/v1/machines').replyWithError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }));
    const error = await rejection(smolvm.list({}));
    expect(error).toMatchObject({ code: 'SMOLVM_UNREACHABLE', transient: true });
    expect(error.message).toContain('smolvm serve at http://127.0.0.1:8080 did not answer GET /api/v1/machines');
  });
});

describe('smolvm serve transport: exec and files', () => {
  it('POSTs only ExecRequest fields and returns the guest exit code from the body, bytes from the B64 fields', async () => {
    let sent: Record<string, unknown> = {};
    api()
      .post('/api/v1/machines/m/exec', (body: Record<string, unknown>) => ((sent = body), true))
      .reply(200, { exitCode: 42, stdout: '\uFFFD', stderr: '', stdoutB64: Buffer.from('héllo').toString('base64'), stderrB64: '' });
    const result = await smolvm.exec('m', ['sh', '-c', 'exit 42'], { env: { TOKEN: 'sekret-4' }, cwd: '/work', input: 'in' });
    expect(result).toEqual({ exitCode: 42, stdout: 'héllo', stderr: '' });
    expect(sent).toEqual({ command: ['sh', '-c', 'exit 42'], env: [{ name: 'TOKEN', value: 'sekret-4' }], workdir: '/work', stdin: 'in' });
    expect(Object.keys(sent).every((k) => EXEC_FIELDS.includes(k))).toBe(true);
  });

  it('throws on an agent failure (500), which is not a guest exit code', async () => {
    api().post('/api/v1/machines/m/exec').reply(500, failure('INTERNAL_ERROR', 'failed to spawn command: No such file or directory'));
    expect(await rejection(smolvm.exec('m', ['nope'], {}))).toMatchObject({ code: 'SMOLVM_INTERNAL_ERROR', transient: false });
  });

  it('PUTs the raw file to /files/<path without its leading slash>, then sets owner and mode in the guest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smolvm-put-'));
    await writeFile(join(dir, 'p.txt'), 'the prompt');
    const fixes: unknown[] = [];
    api()
      .put('/api/v1/machines/m/files/home/node/.claude-bottle-prompt.txt', 'the prompt')
      .matchHeader('content-type', 'application/octet-stream')
      .matchHeader('content-length', '10')
      .reply(200, { path: '/home/node/.claude-bottle-prompt.txt', size: 10 });
    api()
      .post('/api/v1/machines/m/exec', (b: unknown) => (fixes.push(b), true))
      .times(2)
      .reply(200, { exitCode: 0, stdout: '', stderr: '', stdoutB64: '', stderrB64: '' });
    await smolvm.upload('m', join(dir, 'p.txt'), '/home/node/.claude-bottle-prompt.txt', { mode: 0o600, uid: 1000, gid: 1000 });
    expect(fixes).toEqual([
      { command: ['chown', '1000:1000', '/home/node/.claude-bottle-prompt.txt'], env: [] },
      { command: ['chmod', '600', '/home/node/.claude-bottle-prompt.txt'], env: [] },
    ]);
  });
});

describe('BOTTLE_SMOLVM_URL', () => {
  it('takes smolvm serve\'s listen forms and refuses others, naming them', () => {
    expect(parseApiUrl('unix:///run/user/1000/smolvm.sock')).toMatchObject({ socketPath: '/run/user/1000/smolvm.sock' });
    expect(parseApiUrl('/tmp/smolvm.sock')).toMatchObject({ socketPath: '/tmp/smolvm.sock' });
    expect(parseApiUrl('http://10.0.0.5:8080')).toMatchObject({ host: '10.0.0.5', port: 8080 });
    expect(() => parseApiUrl('https://h:1')).toThrow(/expected unix:\/\/\/path\/to\/smolvm.sock, \/path\/to\/smolvm.sock or http:\/\/host:port/);
  });
});
