/**
 * Pushing secrets through the gate with the real git client and the real
 * hook: refused, naming the pattern, the file and the commit, never the
 * secret; what the repo already had is not held against a push; and a
 * pattern too slow for the time limit refuses the push.
 */
import { describe, expect, it } from 'vitest';
import { KEY_BODY, privateKey } from '../common/fake-secrets.js';
import { pushDecisions, refAtGate, startGate } from './start-gate.js';

const BRANCH = 'refs/heads/bottle/a/x';

describe('a push carrying a secret', () => {
  it('adding a private key is refused, naming the file and commit but never showing the key', async () => {
    const started = await startGate();
    const work = await started.clone();
    const commit = await started.git.commit(work, { 'deploy/id_ed25519': privateKey('OPENSSH') }, 'add deploy key');
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(
      `remote: bot-bottle git-gate: refused: ${BRANCH}: commit ${commit.slice(0, 12)} adds "deploy/id_ed25519"`,
    );
    expect(pushed.stderr).toContain('which matches the secret pattern "private key"');
    expect(await refAtGate(started, BRANCH)).toBeUndefined();
    const audit = JSON.stringify(await started.auditLines());
    expect(audit).toContain('deploy/id_ed25519');
    for (const text of [pushed.stderr, pushed.stdout, audit]) {
      expect(text).not.toContain(KEY_BODY);
      expect(text).not.toContain('BEGIN OPENSSH');
    }
  });

  it('finds a secret added deeper than the tip, even when a later commit removes it', async () => {
    const started = await startGate();
    const work = await started.clone();
    const leaking = await started.git.commit(work, { 'config/.env': `TOKEN=1\n${privateKey('RSA')}` }, 'leak');
    await started.git.ok(['rm', '--quiet', 'config/.env'], work);
    await started.git.commit(work, { 'src/app.js': 'console.log(2);\n' }, 'cleanup');
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(`commit ${leaking.slice(0, 12)} adds "config/.env"`);
  });

  it('refuses a match of a pattern the manifest added', async () => {
    const started = await startGate({ secrets: [{ name: 'internal token', pattern: 'itk_[0-9a-f]{32}' }] });
    const work = await started.clone();
    await started.git.commit(work, { 'settings.ini': `token = itk_${'0123456789abcdef'.repeat(2)}\n` });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain('adds "settings.ini"');
    expect(pushed.stderr).toContain('matches the secret pattern "internal token"');
    expect(pushed.stderr).not.toContain('0123456789abcdef');
  });

  it('refuses a secret in a commit message', async () => {
    const started = await startGate({ secrets: [{ name: 'internal token', pattern: 'itk_[0-9a-f]{32}' }] });
    const work = await started.clone();
    const commit = await started.git.commit(work, { 'a.txt': 'a\n' }, `use itk_${'a'.repeat(32)} to log in`);
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(`the message of commit ${commit.slice(0, 12)}, which matches the secret pattern "internal token"`);
  });

  it('does not hold against a push what the repo already had: a seeded secret, or a branch of old commits', async () => {
    const started = await startGate();
    // The seeded history gains a key file, as a fixture in the project might be.
    const seeding = await started.clone();
    await started.git.commit(seeding, { 'test/fixtures/key.pem': privateKey('EC') }, 'fixture');
    await started.git.ok(['fetch', '--quiet', seeding, '+HEAD:refs/heads/main'], started.bareRepo);

    const work = await started.clone();
    await started.git.commit(work, { 'notes.md': 'on top\n' });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`, `origin/feature:refs/heads/bottle/a/old`], work);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
  });

  it('is refused when its checks pass the time limit (a manifest regex that backtracks forever)', async () => {
    const started = await startGate({ secrets: [{ name: 'slow', pattern: '(a+)+$' }], limits: { hookTimeoutMs: 300 } });
    const work = await started.clone();
    await started.git.commit(work, { 'aaa.txt': `${'a'.repeat(60)}b` });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain("remote: bot-bottle git-gate: refused: the gate's checks did not finish within 300 ms");
    expect((await pushDecisions(started)).at(-1)).toMatchObject({ decision: 'refused', refusals: [{ ref: null, rule: 'time-limit' }] });
  });

  it('is refused even when the regex is deaf to the time limit: the watchdog ends the hook', async () => {
    // node:vm's timeout cannot stop this one (empty alternatives nested 30 deep): only killing the hook does.
    const started = await startGate({ secrets: [{ name: 'deaf', pattern: `${'(|)'.repeat(30)}x` }], limits: { hookTimeoutMs: 300 } });
    const work = await started.clone();
    await started.git.commit(work, { 'a.txt': `${'a'.repeat(60)}\n` });
    const began = Date.now();
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain("remote: bot-bottle git-gate: refused: the gate's checks did not finish within 300 ms");
    expect(await refAtGate(started, BRANCH)).toBeUndefined();
    expect((await pushDecisions(started)).at(-1)).toMatchObject({ decision: 'refused', refusals: [{ ref: null, rule: 'time-limit' }] });
  }, 30_000);
});
