/**
 * Turns a loaded manifest and the chosen agents into one BottlePlan each, plus
 * the values that stay out of plan.json (prompt text, guest env values). Pure
 * but for what the caller gathered (subnets in use, environment, home).
 */
import { join } from 'node:path';
import type { LoadedManifest } from '../manifest/types.js';
import type { BackendKind } from '../backends/types.js';
import { FIRST_MEMBER_IP } from '../backends/smolvm/fabric.js';
import { bundleName, machineName, slugFor } from './slug.js';
import { allocateSubnets, hostIn, poolBase, poolCidr } from './subnets.js';
import { GUEST_CA_PATH, PROXY_PORT, type BottlePlan } from './types.js';

export interface PlanInputs {
  loaded: LoadedManifest;
  /** The bottles to plan: their names, and the manifest agent each is made from. */
  agents: readonly BottleInstance[];
  stateRoot: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** CIDRs of Docker networks that are not these bottles' own. */
  subnetsInUse: readonly string[];
  /** Subnet each bottle had, by slug (its network, or its plan.json). */
  previousSubnets: ReadonlyMap<string, string>;
  /** The backend when the bottle names none: the first one available. */
  defaultBackend: BackendKind;
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
  const subnets = allocateSubnets(
    slugs.filter((_, i) => backends[i] === 'docker').map((slug) => ({ slug, previous: inputs.previousSubnets.get(slug) ?? null })),
    inputs.subnetsInUse,
    poolBase(env),
  );
  return inputs.agents.map((instance, i) => {
    const agentName = instance.name;
    const agent = manifest.agents[instance.agent]!;
    const bottle = manifest.bottles[agent.bottle]!;
    const slug = slugs[i]!;
    const subnet = subnets.get(slug) ?? null;
    const bundle = bundleName(slug);
    const bundleIp = bundleAddress(backends[i]!, subnet);
    const proxyUrl = `http://${bundleIp ?? bundle}:${PROXY_PORT}`;
    const stateDir = join(inputs.stateRoot, slug);
    const guestHome = bottle.guestHome;
    const plan: BottlePlan = {
      manifest: loaded.path,
      agent: agentName,
      definition: instance.agent,
      bottle: agent.bottle,
      slug,
      backend: backends[i]!,
      machine: machineName(slug),
      bundle,
      network: machineName(slug),
      egressNetwork: `${machineName(slug)}-egress`,
      subnet,
      gateway: subnet ? hostIn(subnet, 1) : null,
      bundleIp,
      // smolvm has no DNS for its networks: the agent finds the bundle by address.
      bundleHost: backends[i] === 'smolvm' ? bundleIp! : bundle,
      proxyUrl,
      labels: { 'bot-bottle.slug': slug, 'bot-bottle.agent': agentName },
      stateDir,
      promptFile: join(stateDir, 'agent', 'prompt.txt'),
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
        deny: backends[i] === 'docker' ? [poolCidr(env)] : [],
        audit: bottle.egress.audit,
        maxConnections: bottle.egress.maxConnections,
        idleTimeoutMs: bottle.egress.idleTimeout * 1000,
      },
      git: bottle.git
        ? { repo: bottle.git.repo, push: bottle.git.push, name: bottle.git.user?.name ?? `${agentName} (bottle)`, email: bottle.git.user?.email ?? `${agentName}@bot-bottle.invalid` }
        : null,
      envNames: [],
    };
    const guestEnv = guestEnvironment(plan, { ...bottle.env, ...agent.env });
    plan.envNames = Object.keys(guestEnv).sort();
    return { plan, prompt: agent.prompt, guestEnv };
  });
}

/**
 * The bundle's address: .2 of the bottle's /24 on docker; on smolvm the first
 * member of the bottle's network, which the bundle is (it starts first).
 */
function bundleAddress(backend: BackendKind, subnet: string | null): string | null {
  if (subnet) return hostIn(subnet, 2);
  return backend === 'smolvm' ? FIRST_MEMBER_IP : null;
}

/** The agent's environment: proxy and CA settings first, then the bottle's and the agent's own (which win). */
function guestEnvironment(plan: BottlePlan, own: Record<string, string>): Record<string, string> {
  const noProxy = ['localhost', '127.0.0.1', plan.bundle, ...(plan.bundleIp ? [plan.bundleIp] : [])].join(',');
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
    GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    BOTTLE_AGENT: plan.agent,
    BOTTLE_SLUG: plan.slug,
    ...own,
  };
}
