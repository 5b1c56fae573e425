/**
 * What every command that acts on bottles needs, made once: the manifest, the
 * state root, the chosen agents and their plans. User mistakes (bad manifest,
 * unknown agent) surface here, before anything runs.
 */
import { homedir } from 'node:os';
import { loadManifest } from '../lib/manifest/load.js';
import { locateManifest } from '../lib/manifest/locate.js';
import { bottleSlugs, knownBottles, readPlan, type KnownBottle } from '../lib/plan/known-bottles.js';
import { buildPlans, instancesOf, slugsOf, type BottleInstance, type PlannedBottle } from '../lib/plan/build-plan.js';
import { machineName } from '../lib/plan/slug.js';
import type { BottlePlan } from '../lib/plan/types.js';
import { backendsForRun } from '../lib/backends/registry.js';
import { firstAvailableBackend } from '../lib/backends/available.js';
import { cacheDir } from '../lib/images/paths.js';
import { builtImages } from '../lib/images/images.js';
import { oncePerRun, type RunEnv } from '../tasks/context.js';
import { readSecrets } from '../lib/plan/secrets.js';
import { UsageError } from './usage-error.js';
import { refuseOtherEngines } from './one-engine.js';
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
  /** Refuse a manifest whose hosts name another engine (up, task): nothing places bottles there yet (one-engine.ts). */
  oneEngineOnly?: boolean;
}

export interface Session {
  manifestPath: string;
  /** Named limits: the manifest's `limits:` with defaults (the defaults alone where no manifest is read). */
  limits: Record<LimitName, number>;
  stateRoot: string;
  planned: PlannedBottle[];
  runEnv: RunEnv;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const loaded = await loadManifest({
    ...(options.file ? { file: options.file } : {}),
    cwd: options.cwd,
    allowOutside: options.allowOutside ?? [],
  });
  if (options.oneEngineOnly) refuseOtherEngines(loaded);
  const known = Object.keys(loaded.manifest.agents);
  const agents = options.agents.length > 0 ? options.agents : known;
  for (const a of agents) {
    if (!known.includes(a)) throw new UsageError(`no agent "${a}" in ${loaded.path}; agents: ${known.join(', ')}`);
  }
  const stateRoot = stateRootOf(options.stateDir, options);
  for (const i of options.instances ?? []) {
    if (!known.includes(i.agent)) throw new UsageError(`no agent "${i.agent}" in ${loaded.path}; agents: ${known.join(', ')}`);
  }
  const instances = options.instances ?? instancesOf(agents, options.count);
  refuseCopiesNamedAsAgents(instances, known, loaded.path);
  const slugs = slugsOf(loaded, instances);
  const subnetsInUse: string[] = [];
  const previous = previousSubnets(stateRoot, slugs);
  const defaultBackend = firstAvailableBackend(options.env);
  const backendFor = backendsForRun();
  const kinds = new Set(instances.map((i) => loaded.manifest.bottles[loaded.manifest.agents[i.agent]!.bottle]!.backend ?? defaultBackend));
  // Only backends whose networks take subnets of the pool are asked: a smolvm-only manifest runs without Docker.
  const subnetTakers = [...kinds].map(backendFor).filter((b) => b.takesSubnets);
  if (options.withSubnets && subnetTakers.length > 0) {
    const slugOfNetwork = new Map(slugs.map((s) => [machineName(s), s]));
    for (const backend of subnetTakers) {
      const found = await backend.subnetsInUse(new Set(slugOfNetwork.keys()));
      subnetsInUse.push(...found.inUse);
      for (const [name, subnet] of found.own) previous.set(slugOfNetwork.get(name)!, subnet);
    }
    subnetsInUse.push(...otherBottlesSubnets(stateRoot, slugs));
  }
  const planned = buildPlans({
    loaded,
    agents: instances,
    stateRoot,
    home: homedir(),
    env: options.env,
    subnetsInUse,
    previousSubnets: previous,
    defaultBackend,
    backendFor,
  });
  // Read now, so a missing key stops the run before anything starts.
  const problems = await readSecrets(planned, options.env);
  if (problems.length > 0) throw new UsageError(`cannot read the secrets:\n  - ${problems.join('\n  - ')}`);
  const runEnv: RunEnv = { stateRoot, images: builtImages(cacheDir(options.env)), backend: backendFor, once: oncePerRun(), keepLiveRules: options.keepLiveRules ?? false };
  return { manifestPath: loaded.path, limits: loaded.manifest.limits, stateRoot, planned, runEnv };
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

function previousSubnets(stateRoot: string, slugs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const slug of slugs) {
    const subnet = readPlan(stateRoot, slug)?.network?.subnet;
    if (subnet) out.set(slug, subnet);
  }
  return out;
}

/** Bottles not in this run keep their subnets reserved while their plan.json exists. */
function otherBottlesSubnets(stateRoot: string, slugs: string[]): string[] {
  return bottleSlugs(stateRoot)
    .filter((slug) => !slugs.includes(slug))
    .map((slug) => readPlan(stateRoot, slug)?.network?.subnet)
    .filter((s): s is string => !!s);
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
