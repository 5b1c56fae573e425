import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../lib/engine/index.js';
import { plainReporter } from '../../lib/report/plain.js';
import { withShownNames } from '../../lib/report/shown-names.js';

describe('withShownNames', () => {
  it('shows a bottle on a named host as <slug>@<host> in the plain display, the images as before', () => {
    const lines: string[] = [];
    const sink = withShownNames(plainReporter((l) => lines.push(l), { verbose: false }), new Map([['a-2-xyz12', 'a-2-xyz12@b']]));
    const events: EngineEvent[] = [
      { type: 'run-start', items: ['_run', 'a-1-abc34', 'a-2-xyz12'], tasks: ['network'] },
      { type: 'node-start', item: 'a-2-xyz12', task: 'network', attempt: 1 },
      { type: 'node-start', item: 'a-1-abc34', task: 'network', attempt: 1 },
    ];
    events.forEach(sink);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['a-2-xyz12@b', 'a-1-abc34']);
  });

  it('hands the events on untouched when no bottle is on a named host', () => {
    const seen: EngineEvent[] = [];
    const sink = (e: EngineEvent) => void seen.push(e);
    expect(withShownNames(sink, new Map())).toBe(sink);
  });
});
