/**
 * Turns a valid manifest into the normalised `Manifest`: the one place where
 * defaults are filled in, host paths are made absolute and the guest home is
 * tidied. It is pure: prompt files are read beforehand (prompt-files.ts) and
 * passed in.
 */
import { defaultLimits } from '../limits/names.js';
import { resolve } from 'node:path';
import {
  DEFAULT_ASK_TIMEOUT_S,
  DEFAULT_AUDIT_KEEP,
  DEFAULT_AUDIT_MAX_MIB,
  DEFAULT_CPUS,
  DEFAULT_GUEST_HOME,
  DEFAULT_IDLE_TIMEOUT_S,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MEMORY_MIB,
  DEFAULT_PIDS,
  DEFAULT_PLACEMENT,
  DEFAULT_SKILLS_DIR,
  DEFAULT_USER,
  LOCAL_HOST,
  MANIFEST_VERSION,
} from './defaults.js';
import { normalizeGuestPath } from './guest.js';
import { splitEnv } from './env.js';
import type { PromptFile } from './prompt-files.js';
import type { ValidManifest } from './schema.js';
import type { Agent, Bottle, Credential, EgressSettings, Host, HostEngine, Manifest, ManifestSource } from './types.js';

type ValidBottle = ValidManifest['bottles'][string];
type ValidAgent = ValidManifest['agents'][string];
type ValidHost = NonNullable<ValidManifest['hosts']>[string];

function mapEntries<T, U>(record: Record<string, T>, fn: (value: T, name: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, fn(value, name)]));
}

const BYTES_PER_MIB = 1024 * 1024;

function normalizeEgress(egress: ValidBottle['egress'], dir: string): EgressSettings {
  const credentials: Credential[] = (egress?.credentials ?? []).map((c) => ({
    host: c.host.toLowerCase(),
    header: (c.header ?? 'authorization').toLowerCase(),
    prefix: c.bearer ? 'Bearer ' : '',
    from: c.from.kind === 'file' ? { kind: 'file', path: resolve(dir, c.from.path) } : c.from,
    ...(c.placeholderEnv !== undefined && { placeholderEnv: c.placeholderEnv }),
  }));
  // A host the proxy sets a credential for is one it inspects.
  const inspected = new Set(credentials.map((c) => c.host));
  return {
    allow: (egress?.allow ?? []).map((rule) => (inspected.has(rule.host) && !rule.inspect ? { ...rule, inspect: true as const } : rule)),
    credentials,
    ...(egress?.upstreamCa !== undefined && { upstreamCa: resolve(dir, egress.upstreamCa) }),
    audit: {
      maxBytes: (egress?.audit?.maxSize ?? DEFAULT_AUDIT_MAX_MIB) * BYTES_PER_MIB,
      keep: egress?.audit?.keep ?? DEFAULT_AUDIT_KEEP,
    },
    maxConnections: egress?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    idleTimeout: egress?.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_S,
  };
}

function normalizeBottle(bottle: ValidBottle, name: string, dir: string): Bottle {
  const { git } = bottle;
  // Optional fields are left out, not set to undefined, so plans and records show only what was chosen.
  return {
    name,
    ...(bottle.backend !== undefined && { backend: bottle.backend }),
    ...(bottle.image !== undefined && { image: bottle.image }),
    cpus: bottle.cpus ?? DEFAULT_CPUS,
    memory: bottle.memory ?? DEFAULT_MEMORY_MIB,
    pids: bottle.pids ?? DEFAULT_PIDS,
    ...(bottle.disk !== undefined && { disk: bottle.disk }),
    ...splitEnv(bottle.env),
    guestHome: normalizeGuestPath(bottle.guestHome ?? DEFAULT_GUEST_HOME),
    user: bottle.user ?? DEFAULT_USER,
    egress: normalizeEgress(bottle.egress, dir),
    caches: bottle.caches ?? [],
    ...(git !== undefined && {
      git: {
        repo: resolve(dir, git.repo),
        ...(git.branch !== undefined && { branch: git.branch }),
        ...(git.push !== undefined && { push: git.push }),
        secrets: (git.secrets ?? []).map((secret, i) => (typeof secret === 'string' ? { name: `git.secrets[${i}]`, pattern: secret } : secret)),
        ...(git.user !== undefined && { user: git.user }),
      },
    }),
    supervise: { askTimeout: bottle.supervise?.askTimeout ?? DEFAULT_ASK_TIMEOUT_S },
  };
}

function normalizeHost(host: ValidHost, name: string, dir: string): Host {
  const { docker, context, tls } = host;
  const engine: HostEngine =
    docker !== undefined
      ? { kind: 'url', docker, ...(tls !== undefined && { tls: { ca: resolve(dir, tls.ca), cert: resolve(dir, tls.cert), key: resolve(dir, tls.key) } }) }
      : context !== undefined
        ? { kind: 'context', context }
        : { kind: 'local' };
  return { name, engine, ...(host.bottles !== undefined && { bottles: host.bottles }), insecure: host.insecure ?? false };
}

function normalizeAgent(agent: ValidAgent, name: string, promptFile: PromptFile | undefined): Agent {
  return {
    name,
    bottle: agent.bottle,
    ...(agent.host !== undefined && { host: agent.host }),
    skills: agent.skills ?? [],
    prompt: promptFile?.text ?? agent.prompt ?? '',
    promptSource: promptFile?.path ?? 'inline',
    ...splitEnv(agent.env),
  };
}

/** `prompts` holds the prompt file read for each agent that has one, by agent name. */
export function normalizeManifest(
  valid: ValidManifest,
  source: ManifestSource,
  prompts: ReadonlyMap<string, PromptFile>,
): Manifest {
  return {
    version: MANIFEST_VERSION,
    skillsDir: resolve(source.dir, valid.skillsDir ?? DEFAULT_SKILLS_DIR),
    limits: { ...defaultLimits(), ...valid.limits },
    hosts: mapEntries(valid.hosts ?? { [LOCAL_HOST]: {} }, (host, name) => normalizeHost(host, name, source.dir)),
    placement: valid.placement ?? DEFAULT_PLACEMENT,
    bottles: mapEntries(valid.bottles, (bottle, name) => normalizeBottle(bottle, name, source.dir)),
    agents: mapEntries(valid.agents, (agent, name) => normalizeAgent(agent, name, prompts.get(name))),
  };
}
