/**
 * Places the bottles of one run (placement.ts decides): reads where the
 * state root's bottles already are (their plan.json, while they have a
 * record), asks every host of the manifest at once whether it answers (only
 * when the manifest names an engine other than the local one; 5 s each),
 * and hands back each bottle's host as its plan will keep it, or why it is
 * not started. A host is known by its engine, not its name, so two
 * manifests sharing an engine share its budget.
 */
import { isSuccess } from '../engine/index.js';
import type { Host, LoadedManifest } from '../manifest/types.js';
import { knownBottles, type KnownBottle } from '../plan/known-bottles.js';
import type { BottlePlan, PlacedHost } from '../plan/types.js';
import { askHost } from './ask-host.js';
import { engineKey } from './backend-of-plan.js';
import { placeBottles, type BottleToPlace } from './placement.js';

export interface RunToPlace {
  loaded: LoadedManifest;
  /** The run's bottles: name, manifest agent and slug; only Docker bottles are placed. */
  bottles: readonly { name: string; agent: string; slug: string; docker: boolean }[];
  stateRoot: string;
  env: NodeJS.ProcessEnv;
  /** up --reschedule: move bottles whose host is unreachable or whose last run failed. */
  reschedule: boolean;
  /** up --host: new bottles go to these only, and the run keeps only the bottles on them. */
  only?: readonly string[];
  signal?: AbortSignal;
}

export interface RunPlacement {
  /** By slug: the host a placed Docker bottle is on. */
  hostOf: Map<string, PlacedHost>;
  /** By slug: why a bottle is not started (its host unreachable, no room, ...). */
  notStarted: Map<string, string>;
  /** Slugs left out of the run by --host (on another host). */
  elsewhere: Set<string>;
  /** Hosts that did not answer, with why. */
  unreachable: Map<string, string>;
  /** By slug: the plan of a bottle moved to another host (--reschedule), as it was on the host it leaves. */
  moved: Map<string, BottlePlan>;
  /** What the state root knew of its bottles when the run was placed (their plan.json and record). */
  known: KnownBottle[];
}

export async function placeRun(run: RunToPlace): Promise<RunPlacement> {
  const { manifest } = run.loaded;
  const hosts = Object.values(manifest.hosts);
  const known = knownBottles(run.stateRoot);
  const inRun = new Set(run.bottles.map((b) => b.slug));
  const hostOfPlan = (k: KnownBottle) => (k.plan.backend === 'docker' ? hostMatching(hosts, k.plan.host) : undefined);
  const others = new Map<string, number>();
  for (const k of known) {
    const host = k.record && !inRun.has(k.slug) ? hostOfPlan(k) : undefined;
    if (host) others.set(host.name, (others.get(host.name) ?? 0) + 1);
  }
  const unreachable = hosts.some((h) => h.engine.kind !== 'local') ? await unreachableHosts(hosts, run) : new Map<string, string>();
  const bySlug = new Map(known.map((k) => [k.slug, k]));
  const docker = run.bottles.filter((b) => b.docker);
  const toPlace = docker.map((b): BottleToPlace => {
    const k = bySlug.get(b.slug);
    const previous = k?.record ? hostOfPlan(k)?.name : undefined;
    const pin = manifest.agents[b.agent]!.host;
    const failed = k?.record ? Object.values(k.record.tasks).some((t) => !isSuccess(t.status)) : false;
    const move = run.reschedule && previous !== undefined && (unreachable.has(previous) || failed);
    return { name: b.name, ...(pin !== undefined && { pin }), ...(previous !== undefined && { previous }), move };
  });
  const only = run.only ? new Set(run.only) : undefined;
  const placed = placeBottles({ hosts, placement: manifest.placement, bottles: toPlace, others, unreachable, ...(only && { only }) });
  const result: RunPlacement = { hostOf: new Map(), notStarted: new Map(), elsewhere: new Set(), unreachable, moved: new Map(), known };
  docker.forEach((b, i) => {
    const p = placed[i]!;
    if ('error' in p) result.notStarted.set(b.slug, p.error);
    else if (only && !only.has(p.host)) result.elsewhere.add(b.slug);
    else result.hostOf.set(b.slug, placedHost(manifest.hosts[p.host]!));
    const before = bySlug.get(b.slug);
    if ('host' in p && toPlace[i]!.move && toPlace[i]!.previous !== p.host && before) result.moved.set(b.slug, before.plan);
  });
  return result;
}

function placedHost(host: Host): PlacedHost {
  return { name: host.name, engine: host.engine, insecure: host.insecure };
}

/** The manifest's host on the engine a plan names (absent: the local engine), if any. */
function hostMatching(hosts: readonly Host[], placed: PlacedHost | undefined): Host | undefined {
  return hosts.find((h) => engineKey(h) === engineKey(placed));
}

async function unreachableHosts(hosts: readonly Host[], run: RunToPlace): Promise<Map<string, string>> {
  const answers = await Promise.all(
    hosts.map(async (host): Promise<[string, string | undefined]> => {
      const { probe } = await askHost(host, run.stateRoot, run.env, run.signal);
      return [host.name, probe.reachable ? undefined : probe.error];
    }),
  );
  return new Map(answers.filter((a): a is [string, string] => a[1] !== undefined));
}
