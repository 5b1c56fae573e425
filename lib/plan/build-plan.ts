/**
 * Turns a loaded manifest and the chosen agents into one BottlePlan each, plus
 * the values that stay out of plan.json (prompt text, guest env values). Pure
 * but for what the caller gathered (subnets in use, environment, home).
 */
import { join } from 'node:path';
import { splitEnv } from '../manifest/env.js';
import type { EnvSecret, LoadedManifest } from '../manifest/types.js';
import type { Backend, BackendKind, NetworkSpec } from '../backends/types.js';
import { bottleLabels, cacheLabels } from '../backends/labels.js';
import { CACHE_PATHS, type CacheKind } from '../manifest/caches.js';
import { hash } from '../engine/index.js';
import { bundleName, egressName, machineName, slugFor } from './slug.js';
import { bottleFiles } from '../state/layout.js';
import { allocateSubnets, egressSubnet, poolBase, poolCidr } from '../net/subnets.js';
import { GIT_GATE_PORT, GUEST_CA_PATH, PROXY_PORT, SYSTEM_CA_BUNDLE, type BottlePlan, type CachePlan, type PlacedHost } from './types.js';

export interface PlanInputs {
  loaded: LoadedManifest;
  /** The bottles to plan: their names, and the manifest agent each is made from. */
  agents: readonly BottleInstance[];
  /** Absolute (cli/session.ts resolves it); objects carry it in a label. */
  stateRoot: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** CIDRs of networks that are not these bottles' own, on the engine of a host (by its name; undefined: the process's engine). */
  subnetsInUse(host: string | undefined): readonly string[];
  /** Subnet each bottle had on the host it is placed on, by slug (its network, or its plan.json). */
  previousSubnets: ReadonlyMap<string, string>;
  /** The host each Docker bottle is placed on, by slug (lib/hosts/place-run.ts); none: the process's engine. */
  hostOf?: ReadonlyMap<string, PlacedHost>;
  /** The backend when the bottle names none: the first one available. */
  defaultBackend: BackendKind;
  /** What a plan asks of a backend (lib/backends/registry.ts). */
  backendFor(kind: BackendKind): Backend;
}

export interface BottleInstance {
  /** The bottle's agent name: the manifest's, or `<agent>-<i>` for copies (--count). */
  name: string;
  /** The manifest agent it is made from (checked). */
  agent: string;
}

export interface PlannedBottle {
  plan: BottlePlan;
  prompt: string;
  guestEnv: Record<string, string>;
  /** The values of `plan.egress.credentials`, in order, once read (lib/plan/credentials.ts); for the bundle only. */
  credentialValues?: string[];
  /** Secrets of env, by name, not yet read: lib/plan/secrets.ts puts their values into guestEnv. */
  secretEnv?: Record<string, EnvSecret>;
  /** Every secret value of this bottle once read (env secrets, credentials): kept out of what bottle writes. */
  secrets?: string[];
}

/** A copy's slug is not a manifest agent's of the same name: copies are the instances not named as their agent. */
export function slugsOf(loaded: LoadedManifest, agents: readonly BottleInstance[]): string[] {
  return agents.map((a) => slugFor(a.name, loaded.path, a.name === a.agent ? undefined : a.agent));
}

/** Each chosen agent once, or `count` copies named `<agent>-1` .. `<agent>-<count>`. */
export function instancesOf(agents: readonly string[], count: number | undefined): BottleInstance[] {
  if (count === undefined) return agents.map((agent) => ({ name: agent, agent }));
  return agents.flatMap((agent) => Array.from({ length: count }, (_, i) => ({ name: `${agent}-${i + 1}`, agent })));
}

export function buildPlans(inputs: PlanInputs): PlannedBottle[] {
  const { loaded, env } = inputs;
  const { manifest } = loaded;
  const slugs = slugsOf(loaded, inputs.agents);
  const backends = inputs.agents.map((a) => manifest.bottles[manifest.agents[a.agent]!.bottle]!.backend ?? inputs.defaultBackend);
  const pool = poolBase(env);
  const hostOf = (slug: string) => inputs.hostOf?.get(slug);
  // Each engine has its own networks: subnets are allocated per host.
  const takers = slugs.filter((_, i) => inputs.backendFor(backends[i]!).takesSubnets);
  const subnets = new Map<string, string>();
  for (const host of new Set(takers.map((slug) => hostOf(slug)?.name))) {
    const mine = takers.filter((slug) => hostOf(slug)?.name === host);
    const got = allocateSubnets(mine.map((slug) => ({ slug, previous: inputs.previousSubnets.get(slug) ?? null })), inputs.subnetsInUse(host), pool);
    for (const [slug, subnet] of got) subnets.set(slug, subnet);
  }
  return inputs.agents.map((instance, i) => {
    const agentName = instance.name;
    const agent = manifest.agents[instance.agent]!;
    const bottle = manifest.bottles[agent.bottle]!;
    const slug = slugs[i]!;
    const backend = inputs.backendFor(backends[i]!);
    const labels = bottleLabels(slug, agentName, inputs.stateRoot);
    const egress = backend.takesSubnets ? { name: egressName(pool), subnet: egressSubnet(pool) } : { name: `${machineName(slug)}-egress`, subnet: null };
    const network: NetworkSpec = { name: machineName(slug), egress, subnet: subnets.get(slug) ?? null, labels };
    const bundle = bundleName(slug);
    const address = backend.bundleAddress(network, bundle);
    const proxyUrl = `http://${address.ip}:${PROXY_PORT}`;
    const stateDir = join(inputs.stateRoot, slug);
    const guestHome = bottle.guestHome;
    const plan: BottlePlan = {
      manifest: loaded.path,
      caches: cachePlans(bottle.caches, loaded.path, inputs.stateRoot, bottle.guestHome),
      agent: agentName,
      definition: instance.agent,
      bottle: agent.bottle,
      slug,
      backend: backends[i]!,
      ...(hostOf(slug) && { host: hostOf(slug) }),
      machine: machineName(slug),
      bundle,
      network,
      bundleIp: address.ip,
      bundleHost: address.host,
      proxyUrl,
      labels,
      stateDir,
      promptFile: bottleFiles(stateDir).prompt,
      image: bottle.image ?? null,
      user: bottle.user,
      guestHome,
      guestPromptPath: `${guestHome}/.claude-bottle-prompt.txt`,
      guestSkillsDir: env.BOTTLE_GUEST_SKILLS_DIR || `${guestHome}/.claude/skills`,
      guestCaPath: GUEST_CA_PATH,
      guestWorkspace: `${guestHome}/workspace`,
      cpus: bottle.cpus,
      memoryMiB: bottle.memory,
      pids: bottle.pids,
      diskMiB: bottle.disk ?? null,
      skills: agent.skills,
      skillDirs: [manifest.skillsDir, join(inputs.home, '.claude', 'skills')],
      egress: {
        allow: bottle.egress.allow,
        deny: backend.reservedRanges(poolCidr(env)),
        audit: bottle.egress.audit,
        maxConnections: bottle.egress.maxConnections,
        idleTimeoutMs: bottle.egress.idleTimeout * 1000,
        credentials: bottle.egress.credentials,
        upstreamCa: bottle.egress.upstreamCa ?? null,
      },
      git: bottle.git ? { repo: bottle.git.repo, branch: bottle.git.branch ?? null } : null,
      gate: { repo: `${agentName}.git`, push: bottle.git?.push ?? defaultPush(agentName), secrets: bottle.git?.secrets ?? [] },
      supervise: { askTimeoutMs: bottle.supervise.askTimeout * 1000 },
      gitIdentity: bottle.git?.user ?? { name: `${agentName} (bottle)`, email: `${agentName}@bot-bottle.invalid` },
      gitOrigin: `http://${address.host}:${GIT_GATE_PORT}/${agentName}.git`,
      envNames: [],
    };
    const placeholders = Object.fromEntries(bottle.egress.credentials.flatMap((c) => (c.placeholderEnv ? [[c.placeholderEnv, CREDENTIAL_PLACEHOLDER]] : [])));
    // Later wins: an agent's plain value replaces its bottle's secret of the same name, and the other way round.
    const own: Record<string, string | EnvSecret> = { ...placeholders, ...bottle.env, ...bottle.secretEnv, ...agent.env, ...agent.secretEnv };
    const { env: plainEnv, secretEnv } = splitEnv(own);
    const guestEnv = guestEnvironment(plan, plainEnv);
    plan.envNames = [...new Set([...Object.keys(guestEnv), ...Object.keys(secretEnv)])].sort();
    return { plan, prompt: agent.prompt, guestEnv, secretEnv };
  });
}

/** What the agent holds where a tool insists on a key the proxy sets for it. */
export const CREDENTIAL_PLACEHOLDER = 'bottle-placeholder';

/** Where an agent may push when the manifest does not say: branches of its own, `bottle/<agent>/...`. */
export function defaultPush(agent: string): string[] {
  return [`refs/heads/bottle/${agent}/*`];
}

/** The agent's environment: proxy and CA settings first, then the bottle's and the agent's own (which win). */
function guestEnvironment(plan: BottlePlan, own: Record<string, string>): Record<string, string> {
  const noProxy = ['localhost', '127.0.0.1', plan.bundle, plan.bundleIp].join(',');
  return {
    HOME: plan.guestHome,
    HTTP_PROXY: plan.proxyUrl,
    HTTPS_PROXY: plan.proxyUrl,
    http_proxy: plan.proxyUrl,
    https_proxy: plan.proxyUrl,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    NODE_EXTRA_CA_CERTS: plan.guestCaPath,
    // The system bundle, which holds the bottle CA after the ca task (GIT_SSL_CAINFO replaces git's store, it does not add to it).
    GIT_SSL_CAINFO: SYSTEM_CA_BUNDLE,
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // ask_human waits for a person: Claude Code must not give up on the call before the supervise service does.
    MCP_TOOL_TIMEOUT: String(plan.supervise.askTimeoutMs + 60_000),
    CLAUDE_CODE_MCP_TOOL_IDLE_TIMEOUT: String(plan.supervise.askTimeoutMs + 60_000),
    BOTTLE_AGENT: plan.agent,
    BOTTLE_SLUG: plan.slug,
    ...own,
  };
}

/**
 * One volume per cache kind for every bottle of the manifest (kept in the
 * same state root): its name says the kind and, by a short hash, whose.
 */
function cachePlans(kinds: readonly CacheKind[], manifest: string, stateRoot: string, guestHome: string): CachePlan[] {
  const owner = hash(`${stateRoot}\n${manifest}`).slice(0, 10);
  return kinds.map((kind) => ({
    kind,
    volume: `bottle-cache-${owner}-${kind}`,
    guest: `${guestHome.replace(/\/$/, '')}/${CACHE_PATHS[kind]}`,
    labels: cacheLabels(kind, manifest, stateRoot),
  }));
}
