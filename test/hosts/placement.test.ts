/**
 * Placement decided once per bottle: kept where it is, pinned, spread or
 * packed within budgets, and refused with the host named when it cannot be.
 */
import { describe, expect, it } from 'vitest';
import { placeBottles, type BottleToPlace, type PlacementInput } from '../../lib/hosts/placement.js';
import type { Host } from '../../lib/manifest/types.js';

const host = (name: string, bottles?: number): Host => ({ name, engine: name === 'local' ? { kind: 'local' } : { kind: 'context', context: name }, insecure: false, ...(bottles !== undefined && { bottles }) });
const fresh = (name: string, extra: Partial<BottleToPlace> = {}): BottleToPlace => ({ name, move: false, ...extra });

function place(input: Partial<PlacementInput> & Pick<PlacementInput, 'bottles'>) {
  return placeBottles({ hosts: [host('local', 3), host('b', 3), host('c', 3)], placement: 'spread', others: new Map(), unreachable: new Map(), ...input });
}

const names = (n: number) => Array.from({ length: n }, (_, i) => fresh(`a-${i + 1}`));

describe('placeBottles', () => {
  it('spreads 9 new bottles 3/3/3 over three hosts with budgets of 3', () => {
    const placed = place({ bottles: names(9) });
    const per = new Map<string, number>();
    for (const p of placed) if ('host' in p) per.set(p.host, (per.get(p.host) ?? 0) + 1);
    expect(Object.fromEntries(per)).toEqual({ local: 3, b: 3, c: 3 });
    // Fewest first, the manifest's order breaking ties: round robin.
    expect(placed.slice(0, 4)).toEqual([{ host: 'local' }, { host: 'b' }, { host: 'c' }, { host: 'local' }]);
  });

  it('packs: fills the first host before the next', () => {
    expect(place({ placement: 'pack', bottles: names(4) })).toEqual([{ host: 'local' }, { host: 'local' }, { host: 'local' }, { host: 'b' }]);
  });

  it('counts the bottles already on a host against its budget', () => {
    const placed = place({ bottles: names(3), others: new Map([['local', 3], ['b', 1]]) });
    expect(placed).toEqual([{ host: 'c' }, { host: 'b' }, { host: 'c' }]);
  });

  it('keeps a placed bottle where it is, even where spread would put it elsewhere', () => {
    const placed = place({ bottles: [fresh('a-1', { previous: 'c' }), fresh('a-2', { previous: 'c' }), fresh('a-3')], others: new Map([['c', 1]]) });
    expect(placed).toEqual([{ host: 'c' }, { host: 'c' }, { host: 'local' }]);
  });

  it('takes the room of bottles that stay before placing new ones', () => {
    // The new bottle is first in the list, but c's room is the staying bottles'.
    const placed = place({ hosts: [host('c', 2)], bottles: [fresh('new'), fresh('x', { previous: 'c' }), fresh('y', { previous: 'c' })] });
    expect(placed[0]).toEqual({ error: expect.stringMatching(/^no host has room for it \(c 2\/2\)/) });
    expect(placed.slice(1)).toEqual([{ host: 'c' }, { host: 'c' }]);
  });

  it('puts a pinned bottle on its host, and says so when that host is full or unreachable', () => {
    expect(place({ bottles: [fresh('p', { pin: 'b' })] })).toEqual([{ host: 'b' }]);
    expect(place({ bottles: [fresh('p', { pin: 'b' })], others: new Map([['b', 3]]) })).toEqual([
      { error: 'its agent pins host b, which is full (3/3 bottles); raise its `bottles:` budget or bring a bottle there down' },
    ]);
    expect(place({ bottles: [fresh('p', { pin: 'b' })], unreachable: new Map([['b', 'no answer from tcp://10.0.0.2:2376 within 5 s']]) })).toEqual([
      { error: 'its agent pins host b, which is unreachable (no answer from tcp://10.0.0.2:2376 within 5 s); it was not started' },
    ]);
  });

  it('does not start a bottle whose host is unreachable, and --reschedule (move) places it elsewhere', () => {
    const unreachable = new Map([['c', 'no answer']]);
    const [kept] = place({ bottles: [fresh('a-1', { previous: 'c' })], unreachable });
    expect(kept).toEqual({ error: expect.stringMatching(/^its host c is unreachable \(no answer\); it was not started: .*`bottle up --reschedule`/) });
    expect(place({ bottles: [fresh('a-1', { previous: 'c', move: true })], unreachable })).toEqual([{ host: 'local' }]);
  });

  it('never places a new bottle on an unreachable host', () => {
    const placed = place({ bottles: names(6), unreachable: new Map([['b', 'refused']]) });
    expect(placed.map((p) => ('host' in p ? p.host : p.error))).toEqual(['local', 'c', 'local', 'c', 'local', 'c']);
    const over = place({ bottles: names(7), unreachable: new Map([['b', 'refused']]) });
    expect(over[6]).toEqual({ error: 'no host has room for it (local 3/3, b unreachable, c 3/3); raise a host\'s `bottles:` budget, add a host, or bring bottles down' });
  });

  it('places new bottles only on the hosts of --host', () => {
    expect(place({ bottles: names(2), only: new Set(['c']) })).toEqual([{ host: 'c' }, { host: 'c' }]);
  });

  it('refuses to move a running bottle its agent now pins elsewhere, unless moved', () => {
    expect(place({ bottles: [fresh('p', { previous: 'b', pin: 'c' })] })[0]).toEqual({ error: expect.stringMatching(/^it runs on host b but its agent now pins host c/) });
    expect(place({ bottles: [fresh('p', { previous: 'b', pin: 'c', move: true })] })).toEqual([{ host: 'c' }]);
  });

  it('places anew a bottle whose host is no longer in the manifest', () => {
    expect(place({ bottles: [fresh('a-1', { previous: 'gone' })] })).toEqual([{ host: 'local' }]);
  });
});
