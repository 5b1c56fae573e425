/**
 * runPreReceive called directly, on a real bare repo holding objects no ref
 * reaches yet (as a push's quarantine would): the decision, the lines for
 * the pusher, the audit entry, and failing closed when it cannot check.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GitGateConfig } from '../../../daemons/git-gate/config.js';
import { runPreReceive } from '../../../daemons/git-gate/pre-receive.js';
import { tempDir } from '../../state/temp-dir.js';
import { privateKey } from '../common/fake-secrets.js';
import { gitClient } from './git-client.js';
import { seedBareRepo } from './start-gate.js';

const ZERO = '0'.repeat(40);

/** A bare repo, a commit it holds but no ref reaches, and a config file for the hook. */
async function setUp(files: Record<string, string>, overrides: Partial<GitGateConfig> = {}) {
  const dir = await tempDir();
  const git = await gitClient();
  const bare = await seedBareRepo(git, dir);
  const work = join(dir, 'work');
  await git.ok(['clone', '--quiet', bare, work]);
  const commit = await git.commit(work, files);
  await git.ok(['fetch', '--quiet', work, 'HEAD'], bare); // objects in, no ref moved
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    root: join(dir, 'root'),
    repo: 'a.git',
    push: ['refs/heads/bottle/a/*'],
    secrets: [],
    auditLog: join(dir, 'log', 'git-gate.jsonl'),
    hooksDir: join(dir, 'hooks'),
    ...overrides,
  };
  const configPath = join(dir, 'git-gate.json');
  await writeFile(configPath, JSON.stringify(config));
  const reported: string[] = [];
  const run = (input: string, env: Record<string, string | undefined> = { BOTTLE_GATE_CONFIG: configPath }) =>
    runPreReceive({ input, env: { PATH: process.env['PATH'], GIT_CONFIG_NOSYSTEM: '1', HOME: dir, ...env }, cwd: bare, report: (line) => reported.push(line) });
  return { dir, config, configPath, commit, reported, run };
}

describe('runPreReceive', () => {
  it('accepts a clean new branch under an allowed pattern: exit 0, nothing said, audited', async () => {
    const { commit, reported, run, config } = await setUp({ 'a.txt': 'a\n' });
    const result = await run(`${ZERO} ${commit} refs/heads/bottle/a/x\n`);
    expect(result).toEqual({ decision: 'accepted', exitCode: 0, refusals: [] });
    expect(reported).toEqual([]);
    const [line] = (await readFile(config.auditLog, 'utf8')).trim().split('\n').map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line).toMatchObject({ kind: 'push', decision: 'accepted', updates: [{ ref: 'refs/heads/bottle/a/x', old: ZERO, new: commit, kind: 'create' }], refusals: [] });
  });

  it('gives every reason at once: a ref not allowed and a secret in the same update', async () => {
    const { commit, reported, run } = await setUp({ 'id_rsa': privateKey('RSA') });
    const result = await run(`${ZERO} ${commit} refs/heads/main2\n`);
    expect(result.exitCode).toBe(1);
    expect(result.refusals.map((refusal) => refusal.rule)).toEqual(['ref-not-allowed', 'secret']);
    expect(reported).toEqual([
      expect.stringMatching(/^bot-bottle git-gate: refused: refs\/heads\/main2: this bottle may push only to/),
      expect.stringMatching(/^bot-bottle git-gate: refused: refs\/heads\/main2: commit [0-9a-f]{12} adds "id_rsa" \(blob [0-9a-f]{12}\), which matches the secret pattern "private key"/),
      'bot-bottle git-gate: the whole push is refused; no ref was updated',
    ]);
  });

  it('refuses when BOTTLE_GATE_CONFIG is not set, saying so', async () => {
    const { commit, reported, run } = await setUp({ 'a.txt': 'a\n' });
    const result = await run(`${ZERO} ${commit} refs/heads/bottle/a/x\n`, {});
    expect(result.exitCode).toBe(1);
    expect(reported[0]).toBe(
      'bot-bottle git-gate: refused: the gate could not check this push, so it is refused: BOTTLE_GATE_CONFIG is not set; the git gate daemon sets it for the git it runs, so this hook must run under it',
    );
  });

  it('refuses when the config is invalid, naming the problem', async () => {
    const { commit, configPath, reported, run } = await setUp({ 'a.txt': 'a\n' });
    await writeFile(configPath, JSON.stringify({ push: 'everything' }));
    expect((await run(`${ZERO} ${commit} refs/heads/bottle/a/x\n`)).exitCode).toBe(1);
    expect(reported[0]).toContain('Invalid git gate config');
    expect(reported[0]).toContain('`push`: expected an array');
  });

  it('refuses a push it cannot put on record (audit log not writable)', async () => {
    const { commit, config, reported, run } = await setUp({ 'a.txt': 'a\n' });
    await mkdir(config.auditLog, { recursive: true }); // a directory where the file should be
    const result = await run(`${ZERO} ${commit} refs/heads/bottle/a/x\n`);
    expect(result.exitCode).toBe(1);
    expect(reported[0]).toContain(`Cannot write the audit log ${config.auditLog}`);
  });

  it('refuses when git cannot answer (an object it does not have)', async () => {
    const { reported, run } = await setUp({ 'a.txt': 'a\n' });
    const result = await run(`${ZERO} ${'e'.repeat(40)} refs/heads/bottle/a/x\n`);
    expect(result.refusals).toMatchObject([{ ref: null, rule: 'gate-error' }]);
    expect(reported[0]).toMatch(/^bot-bottle git-gate: refused: the gate could not check this push, so it is refused: git rev-list --objects e{40} --not --all failed \(exit 128\)/);
  });
});
