/**
 * Which host each bottle of a run goes to, decided once: a bottle already
 * placed (it has a record) stays where it is; a new one goes to the host
 * its agent pins, else, among the hosts that answered and have room in
 * their budget, to the one with the fewest bottles (`spread`) or the first
 * in the manifest's order (`pack`). Moving is asked for (`up --reschedule`):
 * a bottle to move is placed as a new one. A bottle that cannot be placed
 * gets the reason, naming the host. Pure: the caller gathers who answered
 * and what the state root already holds.
 */
import type { Host, Placement } from '../manifest/types.js';

export interface BottleToPlace {
  /** The bottle's name (`a`, `a-3`), for messages. */
  name: string;
  /** The manifest's `host:` of its agent. */
  pin?: string;
  /** The host it is on now, if it was placed and not brought down. */
  previous?: string;
  /** Place it again (`--reschedule`), even where it is. */
  move: boolean;
}

export interface PlacementInput {
  /** The manifest's hosts, in its order. */
  hosts: readonly Host[];
  placement: Placement;
  bottles: readonly BottleToPlace[];
  /** Bottles of the state root not in this run, by the host they are on. */
  others: ReadonlyMap<string, number>;
  /** Hosts that did not answer, with why. */
  unreachable: ReadonlyMap<string, string>;
  /** `up --host`: new bottles go to these hosts only; undefined: any. */
  only?: ReadonlySet<string>;
}

export type Placed = { host: string } | { error: string };

export function placeBottles(input: PlacementInput): Placed[] {
  const byName = new Map(input.hosts.map((h) => [h.name, h]));
  const count = new Map(input.hosts.map((h) => [h.name, input.others.get(h.name) ?? 0]));
  const staying = (b: BottleToPlace) => !b.move && b.previous !== undefined && byName.has(b.previous);
  // Bottles that stay take their room first, so a new bottle never takes a staying one's place.
  for (const b of input.bottles) if (staying(b)) count.set(b.previous!, count.get(b.previous!)! + 1);
  const room = (h: Host) => h.bottles === undefined || count.get(h.name)! < h.bottles;
  const usable = (h: Host) => !input.unreachable.has(h.name) && (input.only === undefined || input.only.has(h.name));
  return input.bottles.map((b): Placed => {
    if (staying(b)) {
      const why = input.unreachable.get(b.previous!);
      if (why !== undefined) return { error: `its host ${b.previous} is unreachable (${why}); it was not started: run again when the host answers, or \`bottle up --reschedule\` to move it to another host` };
      if (b.pin !== undefined && b.pin !== b.previous) {
        return { error: `it runs on host ${b.previous} but its agent now pins host ${b.pin}; \`bottle up --reschedule\` moves it (or \`bottle down\` it first)` };
      }
      return { host: b.previous! };
    }
    if (b.pin !== undefined) {
      const host = byName.get(b.pin)!;
      const why = input.unreachable.get(host.name);
      if (why !== undefined) return { error: `its agent pins host ${host.name}, which is unreachable (${why}); it was not started` };
      if (!room(host)) return { error: `its agent pins host ${host.name}, which is full (${count.get(host.name)}/${host.bottles} bottles); raise its \`bottles:\` budget or bring a bottle there down` };
      count.set(host.name, count.get(host.name)! + 1);
      return { host: host.name };
    }
    const candidates = input.hosts.filter((h) => usable(h) && room(h));
    const chosen = input.placement === 'pack' ? candidates[0] : fewest(candidates, count);
    if (!chosen) return { error: noRoom(input, count) };
    count.set(chosen.name, count.get(chosen.name)! + 1);
    return { host: chosen.name };
  });
}

/** The first of the hosts with the fewest bottles (the manifest's order breaks ties). */
function fewest(hosts: readonly Host[], count: ReadonlyMap<string, number>): Host | undefined {
  return hosts.reduce<Host | undefined>((best, h) => (best === undefined || count.get(h.name)! < count.get(best.name)! ? h : best), undefined);
}

function noRoom(input: PlacementInput, count: ReadonlyMap<string, number>): string {
  const states = input.hosts
    .filter((h) => input.only === undefined || input.only.has(h.name))
    .map((h) => {
      const why = input.unreachable.get(h.name);
      if (why !== undefined) return `${h.name} unreachable`;
      return `${h.name} ${count.get(h.name)}/${h.bottles ?? '∞'}`;
    });
  return `no host has room for it (${states.join(', ')}); raise a host's \`bottles:\` budget, add a host, or bring bottles down`;
}
