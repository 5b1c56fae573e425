/**
 * What every command that acts on bottles needs, made once: the manifest, the
 * state root, the chosen agents and their plans. User mistakes (bad manifest,
 * unknown agent) surface here, before anything runs.
 */
import { homedir } from 'node:os';
import { loadManifest } from '../lib/manifest/load.js';
import { locateManifest } from '../lib/manifest/locate.js';
import { knownBottles, type KnownBottle } from '../lib/plan/known-bottles.js';
import { buildPlans, instancesOf, slugsOf, type BottleInstance, type PlannedBottle } from '../lib/plan/build-plan.js';
import type { BottlePlan } from '../lib/plan/types.js';
import { backendsForRun } from '../lib/backends/registry.js';
import { firstAvailableBackend } from '../lib/backends/available.js';
import { cacheDir } from '../lib/images/paths.js';
import { builtImages } from '../lib/images/images.js';
import { oncePerRun, type RunEnv } from '../tasks/context.js';
import { readSecrets } from '../lib/plan/secrets.js';
import { UsageError } from './usage-error.js';
import { unknownHostMessage } from '../lib/manifest/hosts.js';
import { placeRun } from '../lib/hosts/place-run.js';
import { gatherSubnets } from './subnets-by-host.js';
import type { Move } from './leave-old-hosts.js';
import { stateRootOf } from './state-root.js';
import { defaultLimits, type LimitName } from '../lib/limits/names.js';

export interface SessionOptions {
  file?: string;
  stateDir?: string;
  /** Directories outside the project the manifest's paths may resolve into (--allow-outside), relative to cwd. */
  allowOutside?: string[];
  /** Agent names; none means all. */
  agents: string[];
  /** Copies of each agent (--count). */
  count?: number;
  /** Exactly these bottles, in place of `agents` and `count` (`bottle doctor --fix` bringing some up again). */
  instances?: BottleInstance[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Gather Docker's subnets (up); down and status only need names. */
  withSubnets: boolean;
  /** --keep-live-rules (up, task). */
  keepLiveRules?: boolean;
  /** up --reschedule: move bottles whose host is unreachable or whose last run failed. */
  reschedule?: boolean;
  /** up --host: only bottles on these hosts (new ones placed there). */
  onlyHosts?: string[];
}

export interface Session {
  manifestPath: string;
  /** Named limits: the manifest's `limits:` with defaults (the defaults alone where no manifest is read). */
  limits: Record<LimitName, number>;
  stateRoot: string;
  planned: PlannedBottle[];
  runEnv: RunEnv;
  /** Bottles of the run that are not started, each with why (their host unreachable, no room): the run fails. */
  notStarted?: { bottle: string; reason: string }[];
  /** What the user must be told on every run (a host without TLS). */
  warnings?: string[];
  /** Bottles this run moves to another host (up --reschedule): what is left on the old one goes first (leave-old-hosts.ts). */
  moves?: Move[];
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const loaded = await loadManifest({
    ...(options.file ? { file: options.file } : {}),
    cwd: options.cwd,
    allowOutside: options.allowOutside ?? [],
  });
  const known = Object.keys(loaded.manifest.agents);
  const agents = options.agents.length > 0 ? options.agents : known;
  for (const a of agents) {
    if (!known.includes(a)) throw new UsageError(`no agent "${a}" in ${loaded.path}; agents: ${known.join(', ')}`);
  }
  const stateRoot = stateRootOf(options.stateDir, options);
  for (const i of options.instances ?? []) {
    if (!known.includes(i.agent)) throw new UsageError(`no agent "${i.agent}" in ${loaded.path}; agents: ${known.join(', ')}`);
  }
  const hostNames = Object.keys(loaded.manifest.hosts);
  for (const h of options.onlyHosts ?? []) if (!hostNames.includes(h)) throw new UsageError(`--host ${h}: ${unknownHostMessage(h, hostNames)}`);
  const instances = options.instances ?? instancesOf(agents, options.count);
  refuseCopiesNamedAsAgents(instances, known, loaded.path);
  const slugs = slugsOf(loaded, instances);
  const defaultBackend = firstAvailableBackend(options.env);
  const backends = backendsForRun();
  const kindOf = (i: BottleInstance) => loaded.manifest.bottles[loaded.manifest.agents[i.agent]!.bottle]!.backend ?? defaultBackend;
  const placement = await placeRun({
    loaded,
    bottles: instances.map((i, n) => ({ name: i.name, agent: i.agent, slug: slugs[n]!, docker: kindOf(i) === 'docker' })),
    stateRoot,
    env: options.env,
    reschedule: options.reschedule ?? false,
    ...(options.onlyHosts && { only: options.onlyHosts }),
  });
  const kept = instances.map((_, n) => slugs[n]!).filter((slug) => !placement.notStarted.has(slug) && !placement.elsewhere.has(slug));
  const subnets = options.withSubnets ? await gatherSubnets(instances.filter((_, n) => kept.includes(slugs[n]!)), kept, kindOf, backends, placement) : undefined;
  const planned = byHost(buildPlans({
    loaded,
    agents: instances.filter((_, n) => kept.includes(slugs[n]!)),
    stateRoot,
    home: homedir(),
    env: options.env,
    subnetsInUse: (host) => subnets?.inUse.get(host) ?? [],
    previousSubnets: subnets?.previous ?? new Map(),
    hostOf: placement.hostOf,
    defaultBackend,
    backendFor: backends,
  }), hostNames);
  // Read now, so a missing key stops the run before anything starts.
  const problems = await readSecrets(planned, options.env);
  if (problems.length > 0) throw new UsageError(`cannot read the secrets:\n  - ${problems.join('\n  - ')}`);
  const runEnv: RunEnv = { stateRoot, images: builtImages(cacheDir(options.env)), backend: backends, once: oncePerRun(), keepLiveRules: options.keepLiveRules ?? false };
  const notStarted = instances.flatMap((i, n) => {
    const reason = placement.notStarted.get(slugs[n]!);
    return reason === undefined ? [] : [{ bottle: i.name, reason }];
  });
  const moves = planned.flatMap(({ plan }): Move[] => {
    const from = placement.moved.get(plan.slug);
    return from ? [{ from, to: plan.host!.name, reachable: !placement.unreachable.has(from.host?.name ?? '') }] : [];
  });
  return { manifestPath: loaded.path, limits: loaded.manifest.limits, stateRoot, planned, runEnv, notStarted, warnings: insecureWarnings(planned), moves };
}

/** The bottles grouped by their host, in the manifest's order of hosts (the display shows them so); a bottle with none first. */
function byHost(planned: PlannedBottle[], hostNames: readonly string[]): PlannedBottle[] {
  const rank = (p: PlannedBottle) => (p.plan.host ? hostNames.indexOf(p.plan.host.name) : -1);
  return planned.map((p, i) => ({ p, i })).sort((x, y) => rank(x.p) - rank(y.p) || x.i - y.i).map(({ p }) => p);
}

/** One line per plain-TCP host the run's bottles are on: root on that machine is open to whoever reaches its port. */
function insecureWarnings(planned: readonly PlannedBottle[]): string[] {
  const hosts = new Map(planned.flatMap((p) => (p.plan.host?.insecure ? [[p.plan.host.name, p.plan.host]] : [])));
  return [...hosts.values()].map((h) => {
    const where = h.engine.kind === 'url' ? ` (${h.engine.docker})` : '';
    return `warning: host ${h.name}${where} is plain TCP without TLS (insecure: true): anyone who can reach its port runs anything there as root`;
  });
}

/** A copy (`<agent>-<i>`) named as an agent of the manifest would be taken for that agent by every command that names it. */
function refuseCopiesNamedAsAgents(instances: readonly BottleInstance[], known: readonly string[], manifestPath: string): void {
  const clash = instances.find((i) => i.name !== i.agent && known.includes(i.name));
  if (clash) {
    throw new UsageError(
      `--count would name a copy of agent "${clash.agent}" "${clash.name}", but ${manifestPath} has an agent "${clash.name}"; ` +
        `rename one of the two agents, or bring "${clash.agent}" up without --count`,
    );
  }
}

/**
 * The bottles the state knows for a manifest (from their plan.json), named
 * agents only if any are given (an agent's --count copies included). What
 * `down` acts on: bottles of agents since removed from the manifest too.
 */
export async function openKnownSession(options: Omit<SessionOptions, 'withSubnets' | 'count'>): Promise<Session> {
  const manifestPath = await locateManifest({ ...(options.file ? { file: options.file } : {}), cwd: options.cwd });
  const stateRoot = stateRootOf(options.stateDir, options);
  const known = knownBottles(stateRoot, manifestPath);
  const wanted = (b: KnownBottle) => options.agents.length === 0 || options.agents.some((a) => a === b.plan.agent || a === b.plan.definition);
  return planSession(manifestPath, stateRoot, known.filter(wanted).map((b) => b.plan), options.env);
}

/** A session over bottles as their plan.json has them, the manifest unread: enough for the down graph. */
export function planSession(manifestPath: string, stateRoot: string, plans: readonly BottlePlan[], env: NodeJS.ProcessEnv): Session {
  const runEnv: RunEnv = { stateRoot, images: builtImages(cacheDir(env)), backend: backendsForRun(), once: oncePerRun() };
  return { manifestPath, limits: defaultLimits(), stateRoot, planned: plans.map((plan) => ({ plan, prompt: '', guestEnv: {} })), runEnv };
}
