import { describe, expect, it } from 'vitest';
import { createRefRules, exampleRef } from '../../../daemons/git-gate/ref-rules.js';

describe('createRefRules', () => {
  it('lets * match any run of characters, slashes included, and nothing else be special', () => {
    const rules = createRefRules(['refs/heads/bottle/a-1/*', 'refs/tags/v1.?']);
    expect(rules.allows('refs/heads/bottle/a-1/x')).toBe(true);
    expect(rules.allows('refs/heads/bottle/a-1/fix/typo')).toBe(true);
    expect(rules.allows('refs/heads/bottle/a-1/')).toBe(true);
    expect(rules.allows('refs/heads/bottle/a-10/x')).toBe(false);
    expect(rules.allows('refs/heads/bottle/a-1')).toBe(false);
    expect(rules.allows('refs/heads/main')).toBe(false);
    expect(rules.allows('xrefs/heads/bottle/a-1/x')).toBe(false);
    expect(rules.allows('refs/tags/v1.?')).toBe(true);
    expect(rules.allows('refs/tags/v1.2')).toBe(false);
  });

  it('matches a pattern with no * exactly, and allows nothing when empty', () => {
    expect(createRefRules(['refs/heads/bottle']).allows('refs/heads/bottle')).toBe(true);
    expect(createRefRules(['refs/heads/bottle']).allows('refs/heads/bottle/x')).toBe(false);
    expect(createRefRules([]).allows('refs/heads/anything')).toBe(false);
  });

  it('makes an example ref for advice', () => {
    expect(exampleRef('refs/heads/bottle/a-1/*')).toBe('refs/heads/bottle/a-1/<name>');
  });
});
