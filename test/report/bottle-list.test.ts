/** What `bottle ls` prints: a table that fits the terminal, in the agents' natural order, and a total. */
import { describe, expect, it } from 'vitest';
import { bottleListLines, type ListRow } from '../../lib/report/bottle-list.js';

const NOW = Date.parse('2026-01-02T12:00:00Z');
const ORDER = ['up', 'stopped', 'orphaned'];

const row = (agent: string, state: string, minutesAgo: number | null, manifest: string | null = `/home/me/${agent}/bottle.yaml`): ListRow => ({
  agent,
  slug: `${agent}-ab12c`,
  backend: 'docker',
  state,
  manifest,
  createdMs: minutesAgo === null ? null : NOW - minutesAgo * 60_000,
});

describe('bottleListLines', () => {
  it('lists each bottle with its state, backend, age as docker ps says it, and manifest; then a total', () => {
    const lines = bottleListLines([row('reviewer-10', 'up', 3), row('reviewer-2', 'stopped', 120), row('ghost', 'orphaned', null, null)], { columns: 120, now: NOW, stateOrder: ORDER });
    expect(lines).toEqual([
      'AGENT        STATE     BACKEND  CREATED        MANIFEST                          SLUG',
      'ghost        orphaned  docker   -              -                                 ghost-ab12c',
      'reviewer-2   stopped   docker   2 hours ago    /home/me/reviewer-2/bottle.yaml   reviewer-2-ab12c',
      'reviewer-10  up        docker   3 minutes ago  /home/me/reviewer-10/bottle.yaml  reviewer-10-ab12c',
      '3 bottles: 1 up, 1 stopped, 1 orphaned',
    ]);
  });

  it('fits a narrow terminal: the slug goes, then the manifest is cut', () => {
    const lines = bottleListLines([row('alpha', 'up', 3, '/a/very/long/path/to/a/project/that/goes/on/bottle.yaml')], { columns: 60, now: NOW, stateOrder: ORDER });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[0]).not.toContain('SLUG');
    expect(lines[1]).toMatch(/^alpha\s+up\s+docker\s+3 minutes ago\s+\/a\/very\/.*…$/);
  });
});
