/**
 * lib/provision/bundle-sync.ts's pulls on a fake backend whose bundle packs
 * what the test gives it (test/tasks/remote-bundle.test.ts runs them on a
 * real engine): a log that only grew is written on in place (a reader
 * following it keeps its file), a rotated one is replaced, the host's
 * answers stay the host's, an archive cut short changes nothing, and a
 * backend that shares host paths is never asked.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packGuestFiles } from '../../lib/backends/guest-files.js';
import type { Backend, GuestProcess } from '../../lib/backends/types.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { pullBundleDir } from '../../lib/provision/bundle-sync.js';
import { bottleFiles } from '../../lib/state/layout.js';
import { ensureDir } from '../../lib/state/root.js';

let work: string;
let plan: BottlePlan;

/** A tar of `top/` holding `files`, as the bundle's tar would pack it. */
function archiveOf(top: string, files: Record<string, string>): Promise<Buffer> {
  const entries = Object.entries(files).map(([name, content]) => ({ path: `${top}/${name}`, content, mode: 0o644 }));
  return packGuestFiles([{ path: top, dir: true, mode: 0o755 }, ...entries], { uid: 0, gid: 0 }, { placeholders: false });
}

/** A remote backend whose running bundle streams `archive()` for every pack, saying `stderr`; `calls` counts what it was asked. */
function fakeBackend(archive: () => Buffer, options: { stderr?: string; shares?: boolean } = {}) {
  const calls: string[] = [];
  const backend = {
    sharesHostPaths: options.shares ?? false,
    status: async (names: readonly string[]) => {
      calls.push('status');
      return new Map(names.map((n) => [n, 'running' as const]));
    },
    execStream: async (): Promise<GuestProcess> => {
      calls.push('execStream');
      return { stdin: new PassThrough(), stdout: Readable.from([archive()]), ended: Promise.resolve({ stderr: options.stderr ?? '' }), stop: async () => {} };
    },
  } as unknown as Backend;
  return { backend, calls };
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'bundle-sync-'));
  plan = { stateDir: join(work, 'demo-12345'), bundle: 'demo-bundle', gate: { repo: 'demo.git' } } as BottlePlan;
  await ensureDir(plan.stateDir);
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('pullBundleDir', () => {
  it('writes on a log that only grew, in place, and replaces one that was rotated', async () => {
    const log = bottleFiles(plan.stateDir).auditLog;
    let archive = await archiveOf('bot-bottle', { 'egress.jsonl': 'one\n' });
    const { backend } = fakeBackend(() => archive);
    await pullBundleDir(backend, plan, 'logs', {});
    expect(await readFile(log, 'utf8')).toBe('one\n');
    const first = (await stat(log)).ino;
    archive = await archiveOf('bot-bottle', { 'egress.jsonl': 'one\ntwo\n' });
    await pullBundleDir(backend, plan, 'logs', {});
    expect(await readFile(log, 'utf8')).toBe('one\ntwo\n');
    expect((await stat(log)).ino).toBe(first);
    archive = await archiveOf('bot-bottle', { 'egress.jsonl': 'three\n' });
    await pullBundleDir(backend, plan, 'logs', {});
    expect(await readFile(log, 'utf8')).toBe('three\n');
    expect((await stat(log)).ino).not.toBe(first);
  });

  it('brings the messages home and leaves the host\'s answers as the host wrote them', async () => {
    const dir = bottleFiles(plan.stateDir).superviseDir;
    await ensureDir(dir);
    await writeFile(join(dir, 'answers.jsonl'), 'the host\'s\n');
    const archive = await archiveOf('supervise', { 'messages.jsonl': 'asked\n', 'answers.jsonl': 'older\n' });
    const { backend } = fakeBackend(() => archive);
    await pullBundleDir(backend, plan, 'supervise', {});
    expect(await readFile(join(dir, 'messages.jsonl'), 'utf8')).toBe('asked\n');
    expect(await readFile(join(dir, 'answers.jsonl'), 'utf8')).toBe('the host\'s\n');
  });

  it('refuses an archive cut short, or one whose packing said something, and changes nothing', async () => {
    const log = bottleFiles(plan.stateDir).auditLog;
    await ensureDir(bottleFiles(plan.stateDir).egressDir);
    await writeFile(log, 'kept\n');
    const whole = await archiveOf('bot-bottle', { 'egress.jsonl': 'kept\nmore\n' });
    const cut = fakeBackend(() => whole.subarray(0, whole.length - 1024)).backend;
    await expect(pullBundleDir(cut, plan, 'logs', {})).rejects.toMatchObject({ code: 'COPY_FAILED' });
    const said = fakeBackend(() => whole, { stderr: 'tar: egress.jsonl: file changed as we read it' }).backend;
    await expect(pullBundleDir(said, plan, 'logs', {})).rejects.toThrow(/file changed as we read it/);
    expect(await readFile(log, 'utf8')).toBe('kept\n');
  });

  it('takes a path the bundle does not have for nothing to pull', async () => {
    const { backend } = fakeBackend(() => Buffer.alloc(0), { stderr: 'no such file or directory: /var/lib/bot-bottle/git/demo.git' });
    await pullBundleDir(backend, plan, 'git', {});
    await expect(stat(join(bottleFiles(plan.stateDir).gateDir, 'demo.git'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('asks a backend that shares host paths nothing', async () => {
    const { backend, calls } = fakeBackend(() => Buffer.alloc(0), { shares: true });
    await pullBundleDir(backend, plan, 'logs', {});
    expect(calls).toEqual([]);
  });
});
