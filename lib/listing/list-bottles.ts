/**
 * Every bottle of a state root, whatever manifest made it (`bottle ls`):
 * each one the root holds a plan of, and each one only its backend still
 * has objects of, labelled for this root (lib/doctor/orphans.ts judges
 * whose an object is). For each: its agent, manifest, backend, when it was
 * first made, what its machines are, and its state (bottle-state.ts). The
 * backends are listed before the state root is read, as `bottle doctor`
 * does: a bottle being brought up meanwhile has its plan written before
 * anything of it is made, so it never looks orphaned. One status call per
 * backend serves every bottle. It changes nothing and formats nothing.
 */
import { existsSync, statSync } from 'node:fs';
import { AGENT_LABEL, SLUG_LABEL, STATE_ROOT_LABEL } from '../backends/labels.js';
import type { Backend, BackendKind, LabelledObject, MachineState, OpOptions } from '../backends/types.js';
import { rootStates } from '../doctor/orphans.js';
import { isHeld as heldByLiveRun } from '../doctor/stale-locks.js';
import type { ItemRecord } from '../engine/index.js';
import { bottleSlugs, knownBottles } from '../plan/known-bottles.js';
import type { BottlePlan, PlacedHost } from '../plan/types.js';
import { groupByWhere, isNamedHost, whereKey } from '../hosts/backend-of-plan.js';
import { bottleFiles, recordFile } from '../state/layout.js';
import { itemDir } from '../state/root.js';
import { judgeState, type BottleMachines, type ListedState } from './bottle-state.js';

export interface ListedBottle {
  agent: string;
  slug: string;
  /** The manifest that made it; null for one only its backend's objects are left of. */
  manifest: string | null;
  backend: BackendKind;
  /** The host it is placed on (`hosts:`); absent: the process's engine. */
  host?: string;
  state: ListedState;
  /** When it was first made (ISO); null when the root holds nothing of it. */
  createdAt: string | null;
  /** What its backend says of its two machines; null when it could not be asked. */
  machines: BottleMachines | null;
}

export interface Listing {
  bottles: ListedBottle[];
  /** What could not be asked, and why: those bottles are `unknown`. */
  problems: string[];
}

export interface ListOptions extends OpOptions {
  /** The state root (absolute). */
  root: string;
  backendFor(kind: BackendKind): Backend;
  /** The backend where a bottle's plan says its machines are (its kind, on its host's engine). */
  backendOf(where: Pick<BottlePlan, 'backend' | 'host'>): Backend;
  /** The backends whose labelled objects are looked at: those in use here that can list them. */
  scanned: readonly BackendKind[];
  /** Whether a live run holds a bottle's state dir; by default its lock, looked at on disk. */
  isHeld?: (dir: string) => boolean;
}

/** A bottle as found, before its machines are asked after. */
interface Found {
  agent: string;
  slug: string;
  manifest: string | null;
  backend: BackendKind;
  host?: PlacedHost;
  createdAt: string | null;
  names: { agent: string; bundle: string } | null;
  record: ItemRecord | null;
  known: boolean;
  dir: string;
}

export async function listBottles(options: ListOptions): Promise<Listing> {
  const { root } = options;
  const op: OpOptions = options.signal ? { signal: options.signal } : {};
  const problems: string[] = [];
  const objects: { backend: BackendKind; object: LabelledObject }[] = [];
  for (const kind of options.scanned) {
    const backend = options.backendFor(kind);
    if (!backend.listLabelled) continue;
    try {
      objects.push(...(await backend.listLabelled(op)).map((object) => ({ backend: kind, object })));
    } catch (error) {
      problems.push(`could not list what ${kind} holds of bottles (by their labels): ${(error as Error).message}`);
    }
  }
  const known = new Set(bottleSlugs(root).filter((slug) => existsSync(bottleFiles(itemDir(root, slug)).plan) || existsSync(recordFile(root, slug))));
  const found: Found[] = knownBottles(root).map((b) => ({
    agent: b.plan.agent,
    slug: b.slug,
    manifest: b.plan.manifest,
    backend: b.plan.backend,
    ...(b.plan.host && { host: b.plan.host }),
    createdAt: firstMade(bottleFiles(b.plan.stateDir).plan, b.record),
    names: { agent: b.plan.machine, bundle: b.plan.bundle },
    record: b.record,
    known: true,
    dir: b.plan.stateDir,
  }));
  found.push(...orphans(objects, root, known));

  const states = new Map<string, MachineState>();
  const asked = new Set<string>();
  const where = (f: Found) => ({ backend: f.backend, ...(f.host && { host: f.host }) });
  for (const group of groupByWhere(found.map((f) => ({ plan: where(f), f })))) {
    const key = whereKey(group.where);
    const names = group.items.filter((i) => i.f.names).flatMap((i) => [i.f.names!.agent, i.f.names!.bundle]).filter((name) => name !== '');
    try {
      for (const [name, state] of await options.backendOf(group.where).status(names, op)) states.set(`${key}/${name}`, state);
      asked.add(key);
    } catch (error) {
      problems.push(`could not ask ${group.label} what the machines of ${group.items.length} bottle(s) are: ${(error as Error).message}`);
    }
  }

  const isHeld = options.isHeld ?? heldByLiveRun;
  const bottles = found.map((f): ListedBottle => {
    const key = whereKey(where(f));
    const stateOf = (name: string | undefined): MachineState => (name ? (states.get(`${key}/${name}`) ?? 'missing') : 'missing');
    const machines = asked.has(key) ? { agent: stateOf(f.names?.agent), bundle: stateOf(f.names?.bundle) } : null;
    return {
      agent: f.agent,
      slug: f.slug,
      manifest: f.manifest,
      backend: f.backend,
      ...(f.host && isNamedHost(f.host) && { host: f.host.name }),
      state: judgeState({ known: f.known, record: f.record, held: f.known && isHeld(f.dir), machines }),
      createdAt: f.createdAt,
      machines,
    };
  });
  return { bottles, problems };
}

/** The bottles only a backend's objects labelled for this root are left of (no plan or record here), one per slug. */
function orphans(objects: readonly { backend: BackendKind; object: LabelledObject }[], root: string, known: ReadonlySet<string>): Found[] {
  const rootState = rootStates(root);
  const bySlug = new Map<string, Found>();
  for (const { backend, object } of objects) {
    const slug = object.labels[SLUG_LABEL];
    const labelled = object.labels[STATE_ROOT_LABEL];
    // Unlabelled with a root: ours only when the root names it, and then known.
    if (!slug || labelled === undefined || known.has(slug)) continue;
    if (labelled !== root && rootState(labelled) !== 'this') continue;
    const f = bySlug.get(slug) ?? {
      agent: object.labels[AGENT_LABEL] ?? '?',
      slug,
      manifest: null,
      backend,
      createdAt: null,
      names: null,
      record: null,
      known: false,
      dir: itemDir(root, slug),
    };
    if (object.type === 'machine') {
      const role = object.labels['bot-bottle.role'] === 'bundle' ? 'bundle' : 'agent';
      f.names = { agent: f.names?.agent ?? '', bundle: f.names?.bundle ?? '', [role]: object.name };
    }
    bySlug.set(slug, f);
  }
  return [...bySlug.values()];
}

/**
 * When the bottle was first made, as its state tells: the earlier of its
 * plan's last write (prepare writes it when the plan changes) and the first
 * start its record still keeps (tasks up to date keep their first start).
 */
function firstMade(planPath: string, record: ItemRecord | null): string | null {
  const times: number[] = [];
  try {
    times.push(statSync(planPath).mtimeMs);
  } catch {
    // Read a moment ago; gone since (a purge): the record may still tell.
  }
  for (const t of Object.values(record?.tasks ?? {})) if (t.startedAt && !Number.isNaN(Date.parse(t.startedAt))) times.push(Date.parse(t.startedAt));
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : null;
}
