import { describe, expect, it } from 'vitest';
import { refusalsOf, secretRefusal, timeLimitRefusal } from '../../../daemons/git-gate/push-policy.js';
import { createRefRules } from '../../../daemons/git-gate/ref-rules.js';
import type { RefUpdate } from '../../../daemons/git-gate/ref-updates.js';

const ZERO = '0'.repeat(40);
const OLD = '1'.repeat(40);
const NEW = '2'.repeat(40);
const rules = createRefRules(['refs/heads/bottle/a/*']);
const update = (ref: string, kind: RefUpdate['kind']): RefUpdate => ({
  ref,
  kind,
  old: kind === 'create' ? ZERO : OLD,
  new: kind === 'delete' ? ZERO : NEW,
});

describe('refusalsOf', () => {
  it('accepts a new allowed ref, and a fast-forward of one', () => {
    expect(refusalsOf(update('refs/heads/bottle/a/x', 'create'), rules, {})).toEqual([]);
    expect(refusalsOf(update('refs/heads/bottle/a/x', 'update'), rules, { fastForward: true })).toEqual([]);
  });

  it('refuses a ref no pattern allows, saying where to push instead', () => {
    expect(refusalsOf(update('refs/heads/main', 'update'), rules, { fastForward: true })).toEqual([
      {
        ref: 'refs/heads/main',
        rule: 'ref-not-allowed',
        message: 'refs/heads/main: this bottle may push only to refs/heads/bottle/a/*; push there instead, e.g. git push origin HEAD:refs/heads/bottle/a/<name>',
      },
    ]);
    expect(refusalsOf(update('refs/heads/x', 'create'), createRefRules([]), {})[0]?.message).toBe('refs/heads/x: this bottle may not push to any ref');
  });

  it('refuses a deletion and a move that is not a fast-forward, each with its rule', () => {
    expect(refusalsOf(update('refs/heads/bottle/a/x', 'delete'), rules, {}).map((refusal) => refusal.rule)).toEqual(['deletion']);
    const [forced] = refusalsOf(update('refs/heads/bottle/a/x', 'update'), rules, { fastForward: false });
    expect(forced?.rule).toBe('non-fast-forward');
    expect(forced?.message).toContain('not a fast-forward (111111111111 is not an ancestor of 222222222222)');
  });

  it('lists every rule an update breaks', () => {
    expect(refusalsOf(update('refs/heads/main', 'delete'), rules, {}).map((refusal) => refusal.rule)).toEqual(['ref-not-allowed', 'deletion']);
  });
});

describe('secretRefusal', () => {
  it('names the pattern, the file and the commit of a blob', () => {
    const refusal = secretRefusal({
      ref: 'refs/heads/bottle/a/x',
      patterns: ['private key', 'AWS access key id'],
      object: { id: 'f'.repeat(40), type: 'blob' },
      path: 'keys/id_rsa',
      commit: 'c'.repeat(40),
    });
    expect(refusal).toMatchObject({ ref: 'refs/heads/bottle/a/x', rule: 'secret' });
    expect(refusal.message).toMatch(
      /^refs\/heads\/bottle\/a\/x: commit c{12} adds "keys\/id_rsa" \(blob f{12}\), which matches the secret patterns "private key", "AWS access key id"; remove it/,
    );
  });

  it('names the commit whose message matched', () => {
    const refusal = secretRefusal({ ref: 'refs/heads/bottle/a/x', patterns: ['t'], object: { id: 'c'.repeat(40), type: 'commit' } });
    expect(refusal.message).toContain('the message of commit cccccccccccc, which matches the secret pattern "t";');
  });
});

describe('timeLimitRefusal', () => {
  it('refuses the whole push, naming the limit', () => {
    expect(timeLimitRefusal(1500)).toEqual({
      ref: null,
      rule: 'time-limit',
      message: "the gate's checks did not finish within 1500 ms, so the push is refused; push fewer or smaller commits at a time",
    });
  });
});
