import { describe, expect, it } from 'vitest';
import { parseRefUpdates } from '../../../daemons/git-gate/ref-updates.js';

const ZERO = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('parseRefUpdates', () => {
  it('reads creations, updates and deletions from the hook stdin', () => {
    expect(parseRefUpdates(`${ZERO} ${A} refs/heads/new\n${A} ${B} refs/heads/moved\n${B} ${ZERO} refs/heads/gone\n`)).toEqual([
      { ref: 'refs/heads/new', old: ZERO, new: A, kind: 'create' },
      { ref: 'refs/heads/moved', old: A, new: B, kind: 'update' },
      { ref: 'refs/heads/gone', old: B, new: ZERO, kind: 'delete' },
    ]);
  });

  it('takes SHA-256 ids and nothing at all', () => {
    expect(parseRefUpdates(`${'0'.repeat(64)} ${'c'.repeat(64)} refs/heads/x`)).toMatchObject([{ kind: 'create' }]);
    expect(parseRefUpdates('')).toEqual([]);
  });

  it('refuses a line that is not an update, quoting it', () => {
    expect(() => parseRefUpdates('hello world')).toThrow('pre-receive got a line that is not "<old> <new> <ref>": "hello world"');
  });
});
