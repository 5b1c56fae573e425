/**
 * Pushing through the gate with the real git client and the real hook: the
 * ref rules (which refs, no deletion, no force) and the size limit, as the
 * pusher sees them (`remote:` lines on git's stderr, the gate's refs left as
 * they were) and as the audit log records them.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pushDecisions, refAtGate, startGate } from './start-gate.js';

const BRANCH = 'refs/heads/bottle/a/x';

describe('a push through the gate', () => {
  it('to an allowed ref is accepted, lands, and is audited as accepted', async () => {
    const started = await startGate();
    const work = await started.clone();
    const commit = await started.git.commit(work, { 'notes.md': 'hello\n' });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(await refAtGate(started, BRANCH)).toBe(commit);
    expect(await pushDecisions(started)).toMatchObject([{ decision: 'accepted', updates: [{ ref: BRANCH, kind: 'create' }], refusals: [] }]);

    // And moving it forward afterwards.
    const next = await started.git.commit(work, { 'notes.md': 'hello again\n' });
    expect((await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work)).exitCode).toBe(0);
    expect(await refAtGate(started, BRANCH)).toBe(next);
  });

  it('to main is refused, with the reason on git stderr as remote: lines and in the audit log', async () => {
    const started = await startGate();
    const before = await refAtGate(started, 'refs/heads/main');
    const work = await started.clone();
    await started.git.commit(work, { 'notes.md': 'hello\n' });
    const pushed = await started.git.run(['push', 'origin', 'HEAD:refs/heads/main'], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(
      'remote: bot-bottle git-gate: refused: refs/heads/main: this bottle may push only to refs/heads/bottle/a/*; push there instead, e.g. git push origin HEAD:refs/heads/bottle/a/<name>',
    );
    expect(pushed.stderr).toContain('remote: bot-bottle git-gate: the whole push is refused; no ref was updated');
    expect(pushed.stderr).toMatch(/! \[remote rejected\] HEAD -> main \(pre-receive hook declined\)/);
    expect(await refAtGate(started, 'refs/heads/main')).toBe(before);
    const [line] = await pushDecisions(started);
    expect(line).toMatchObject({ decision: 'refused', refusals: [{ ref: 'refs/heads/main', rule: 'ref-not-allowed' }] });
  });

  it('is refused whole when one of its refs is refused: the allowed one does not land either', async () => {
    const started = await startGate();
    const work = await started.clone();
    await started.git.commit(work, { 'notes.md': 'hello\n' });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`, 'HEAD:refs/heads/other'], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain('refused: refs/heads/other: this bottle may push only to');
    expect(await refAtGate(started, BRANCH)).toBeUndefined();
  });

  it('that is not a fast-forward (a force push) to an allowed ref is refused, and the ref stays', async () => {
    const started = await startGate();
    const work = await started.clone();
    const first = await started.git.commit(work, { 'notes.md': 'one\n' });
    expect((await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work)).exitCode).toBe(0);
    await started.git.ok(['commit', '--quiet', '--amend', '-m', 'rewritten'], work);
    const pushed = await started.git.run(['push', '--force', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toMatch(/remote: bot-bottle git-gate: refused: refs\/heads\/bottle\/a\/x: not a fast-forward \([0-9a-f]{12} is not an ancestor of [0-9a-f]{12}\); force pushes are refused/);
    expect(await refAtGate(started, BRANCH)).toBe(first);
    expect((await pushDecisions(started)).at(-1)).toMatchObject({ decision: 'refused', refusals: [{ rule: 'non-fast-forward' }] });
  });

  it('deleting an allowed branch is refused, and the branch stays', async () => {
    const started = await startGate();
    const work = await started.clone();
    const commit = await started.git.commit(work, { 'notes.md': 'one\n' });
    expect((await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work)).exitCode).toBe(0);
    const pushed = await started.git.run(['push', 'origin', `:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain(`remote: bot-bottle git-gate: refused: ${BRANCH}: deleting a ref is not allowed through the gate`);
    expect(await refAtGate(started, BRANCH)).toBe(commit);
    expect((await pushDecisions(started)).at(-1)).toMatchObject({ decision: 'refused', updates: [{ kind: 'delete' }], refusals: [{ rule: 'deletion' }] });
  });

  it('bigger than maxPushBytes is refused when it announces its size, and nothing lands', async () => {
    const started = await startGate({ limits: { maxPushBytes: 64 * 1024 } });
    const work = await started.clone();
    await started.git.commit(work, { 'blob.bin': randomBytes(256 * 1024) });
    const pushed = await started.git.run(['push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    expect(pushed.stderr).toContain('HTTP 413');
    expect(await refAtGate(started, BRANCH)).toBeUndefined();
    expect((await started.auditLines()).at(-1)).toMatchObject({ method: 'POST', service: 'git-receive-pack', status: 413, reason: 'request body over 65536 bytes' });
  });

  it('bigger than maxPushBytes is refused when it streams (chunked), and nothing lands', async () => {
    const started = await startGate({ limits: { maxPushBytes: 64 * 1024 } });
    const work = await started.clone();
    await started.git.commit(work, { 'blob.bin': randomBytes(256 * 1024) });
    // A post buffer smaller than the pack makes git send it chunked, its size unknown up front.
    const pushed = await started.git.run(['-c', 'http.postBuffer=4096', 'push', 'origin', `HEAD:${BRANCH}`], work);
    expect(pushed.exitCode).not.toBe(0);
    // The answer is held until the body ends, so even a body found too large halfway gets a clean 413.
    expect(pushed.stderr).toContain('HTTP 413');
    expect(await refAtGate(started, BRANCH)).toBeUndefined();
    expect((await started.auditLines()).at(-1)).toMatchObject({ service: 'git-receive-pack', status: 413 });
  });
});
