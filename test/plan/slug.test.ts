import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slugFor } from '../../lib/plan/slug.js';

const MANIFEST = '/home/u/p/bottle.yaml';

describe('slugFor', () => {
  it('keeps the slug a manifest agent always had, so its bottles are not renamed', () => {
    const digest = createHash('sha256').update(`${MANIFEST}\0demo`).digest('hex');
    expect(slugFor('demo', MANIFEST)).toBe(`demo-${digest.slice(0, 5)}`);
  });

  it('gives a copy a slug of its own: not that of a manifest agent of the same name, nor of a copy of another agent', () => {
    const copy = slugFor('a-1', MANIFEST, 'a');
    expect(copy).toMatch(/^a-1-[0-9a-f]{5}$/);
    expect(copy).not.toBe(slugFor('a-1', MANIFEST));
    expect(copy).toBe(slugFor('a-1', MANIFEST, 'a'));
    expect(copy).not.toBe(slugFor('a-1', '/home/u/q/bottle.yaml', 'a'));
  });
});
