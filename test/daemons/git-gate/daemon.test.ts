/**
 * startGitGate serving the real git over HTTP: health, clones in both
 * protocol versions, what is not served, the checks made before serving,
 * the private config copy, and a client that leaves halfway.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { checkGitGateConfig, GitGateConfigError } from '../../../daemons/git-gate/config.js';
import { startGitGate } from '../../../daemons/git-gate/daemon.js';
import { tempDir } from '../../state/temp-dir.js';
import { gitClient } from './git-client.js';
import { httpRequest } from './http-client.js';
import { HOOK_MAIN, seedBareRepo, startGate, writeHooksDir } from './start-gate.js';

describe('startGitGate', () => {
  it('answers GET /health with its name, and does not audit it', async () => {
    const started = await startGate();
    const answer = await httpRequest(started.gate.address.port, 'GET', '/health');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.text)).toEqual({ status: 'ok', daemon: 'git-gate' });
    expect(await started.auditLines()).toEqual([]);
  });

  it.each(['2', '0'])('serves a clone over protocol version %s with every branch, audited one line per request', async (version) => {
    const started = await startGate();
    const work = join(started.dir, 'clone');
    await started.git.ok(['-c', `protocol.version=${version}`, 'clone', '--quiet', started.url, work]);
    const branches = (await started.git.ok(['branch', '-r', '--format=%(refname:short)'], work)).trim().split('\n');
    expect(branches.sort()).toEqual(['origin/HEAD', 'origin/feature', 'origin/main']);
    expect(await started.git.ok(['show', 'origin/feature:feature.txt'], work)).toBe('feature');
    const lines = await started.auditLines();
    // Version 2 (Git-Protocol passed through) asks ls-refs and fetch apart; version 0 has one exchange.
    expect(lines).toHaveLength(version === '2' ? 3 : 2);
    expect(lines[0]).toMatchObject({ kind: 'request', method: 'GET', path: '/a.git/info/refs?service=git-upload-pack', service: 'git-upload-pack', status: 200, remote: '127.0.0.1' });
    expect(lines.at(-1)).toMatchObject({ method: 'POST', path: '/a.git/git-upload-pack', status: 200 });
    expect(lines.at(-1)?.['bytesOut']).toBeGreaterThan(0);
  });

  it('serves a partial clone (uploadpack.allowFilter)', async () => {
    const started = await startGate();
    const work = join(started.dir, 'partial');
    const cloned = await started.git.run(['clone', '--quiet', '--filter=blob:none', started.url, work]);
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(cloned.stderr).not.toContain('filtering not recognized');
  });

  it.runIf(process.getuid?.() === 0)('serves a repo another user owns (safe.directory), pushes included', async () => {
    const started = await startGate();
    await execa('chown', ['-R', '12345:12345', started.bareRepo]);
    const work = await started.clone();
    await started.git.commit(work, { 'notes.md': 'hello\n' });
    const pushed = await started.git.run(['push', 'origin', 'HEAD:refs/heads/bottle/a/owned'], work);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
  });

  it.each([
    ['GET', '/other.git/info/refs?service=git-upload-pack'],
    ['GET', '/../x'],
    ['GET', '/a.git/info/refs'],
    ['GET', '/a.git/HEAD'],
    ['GET', '/a.git/objects/info/packs'],
    ['POST', '/a.git/../a.git/git-receive-pack'],
  ])('answers %s %s with a 404 naming what is served', async (method, path) => {
    const started = await startGate();
    const answer = await httpRequest(started.gate.address.port, method, path, method === 'POST' ? '0000' : undefined);
    expect(answer.status).toBe(404);
    expect(answer.text).toBe(
      `bot-bottle git-gate: ${method} ${path} is not served here; this gate serves only GET /health, GET /a.git/info/refs?service=git-upload-pack, ` +
        'GET /a.git/info/refs?service=git-receive-pack, POST /a.git/git-upload-pack, POST /a.git/git-receive-pack (clone http://<gate>/a.git)',
    );
    expect(await started.auditLines()).toMatchObject([{ method, path, service: null, status: 404, reason: 'not served' }]);
  });

  it('refuses a body announced too large without running git', async () => {
    const started = await startGate({ limits: { maxPushBytes: 2048 } });
    const answer = await httpRequest(started.gate.address.port, 'POST', '/a.git/git-receive-pack', Buffer.alloc(4096), {
      'content-type': 'application/x-git-receive-pack-request',
    });
    expect(answer.status).toBe(413);
    expect(answer.text).toBe("bot-bottle git-gate: request body over 2048 bytes, this bottle's push limit; push fewer or smaller commits at a time");
  });

  it('records a client that leaves in the middle of its request, and still closes promptly', async () => {
    const started = await startGate();
    const socket = connect(started.gate.address.port, '127.0.0.1');
    socket.write(
      'POST /a.git/git-receive-pack HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-git-receive-pack-request\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n0000\r\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // a real process has to start: let it
    socket.destroy();
    for (let tries = 0; tries < 100 && (await started.auditLines()).length === 0; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await started.auditLines()).toMatchObject([{ method: 'POST', service: 'git-receive-pack', status: 0, reason: 'the client left before the answer was sent' }]);
    await started.gate.close();
  });

  it('without a config path, writes a private copy for the hook, and removes it on close', async () => {
    const dir = await tempDir();
    const git = await gitClient();
    await seedBareRepo(git, dir);
    const config = checkGitGateConfig({
      listen: { host: '127.0.0.1', port: 0 },
      root: join(dir, 'root'),
      repo: 'a.git',
      push: ['refs/heads/bottle/*'],
      auditLog: join(dir, 'git-gate.jsonl'),
      hooksDir: await writeHooksDir(dir, HOOK_MAIN),
    });
    const privateCopies = async (): Promise<string[]> =>
      (await readdir(tmpdir())).filter((name) => name.startsWith('bot-bottle-git-gate-') && existsSync(join(tmpdir(), name, 'git-gate.json')));
    const before = await privateCopies();
    const gate = await startGitGate(config);
    try {
      expect((await privateCopies()).length).toBe(before.length + 1);
      const work = join(dir, 'work');
      await git.ok(['clone', '--quiet', `http://127.0.0.1:${gate.address.port}/a.git`, work]);
      await git.commit(work, { 'x.txt': 'x' });
      const pushed = await git.run(['push', 'origin', 'HEAD:refs/heads/bottle/x'], work);
      expect(pushed.exitCode, pushed.stderr).toBe(0);
    } finally {
      await gate.close();
    }
    expect(await privateCopies()).toEqual(before);
  });

  describe('refuses to start', () => {
    async function setUp(): Promise<{ dir: string; config: ReturnType<typeof checkGitGateConfig> }> {
      const dir = await tempDir();
      await seedBareRepo(await gitClient(), dir);
      const config = checkGitGateConfig({
        listen: { host: '127.0.0.1', port: 0 },
        root: join(dir, 'root'),
        repo: 'a.git',
        push: [],
        auditLog: join(dir, 'git-gate.jsonl'),
        hooksDir: await writeHooksDir(dir, HOOK_MAIN),
      });
      return { dir, config };
    }

    it('when the repo is not a bare repo under root, naming it', async () => {
      const { dir, config } = await setUp();
      await mkdir(join(dir, 'root', 'empty.git'));
      const starting = startGitGate({ ...config, repo: 'empty.git' });
      await expect(starting).rejects.toThrow(GitGateConfigError);
      await expect(starting).rejects.toThrow(`${join(dir, 'root', 'empty.git')} is not a bare git repository`);
    });

    it('when the hooks directory has no executable pre-receive, since pushes would go unchecked', async () => {
      const { config } = await setUp();
      await chmod(join(config.hooksDir, 'pre-receive'), 0o644);
      await expect(startGitGate(config)).rejects.toThrow(`The git gate's hooks directory ${config.hooksDir} has no executable pre-receive`);
      await rm(join(config.hooksDir, 'pre-receive'));
      await expect(startGitGate(config)).rejects.toThrow('without it pushes would not be checked');
    });

    it('when git cannot be found on its PATH', async () => {
      const { dir, config } = await setUp();
      const empty = join(dir, 'empty-bin');
      await mkdir(empty);
      await writeFile(join(empty, 'README'), 'no git here');
      await expect(startGitGate(config, { path: empty })).rejects.toThrow(`The git gate cannot run git (PATH=${empty})`);
    });

    it('when it cannot listen, leaving no audit log open', async () => {
      const { config } = await setUp();
      const first = await startGitGate(config);
      try {
        await expect(startGitGate({ ...config, listen: { host: '127.0.0.1', port: first.address.port } })).rejects.toThrow(
          `The git gate cannot listen on 127.0.0.1:${first.address.port}`,
        );
      } finally {
        await first.close();
      }
    });
  });
});
