/**
 * A BottlePlan: everything `bottle up` decided about one agent's bottle before
 * any task runs — names, paths, addresses, guest env. Tasks read it; none
 * changes it. It carries no secret values (env values live in `guestEnv` of the
 * task context, never in plan.json).
 */
import type { BackendKind, NetworkSpec } from '../backends/types.js';
import type { Credential, EgressRule, Host, SecretPattern } from '../manifest/types.js';

export type { EgressRule };

/** What the bundle's egress proxy is told (tasks/daemons.ts writes its config from it). */
export interface EgressPlan {
  allow: EgressRule[];
  /** Refused after resolving, on top of the private ranges the proxy always refuses: the bottles' own address pool. */
  deny: string[];
  audit: { maxBytes: number; keep: number };
  maxConnections: number;
  idleTimeoutMs: number;
  /** Where each credential's value is read at up (never the value: plan.json is not secret). */
  credentials: Credential[];
  upstreamCa: string | null;
}

/** A package cache of the bottle: a volume shared by its manifest's bottles, at `guest`. */
export interface CachePlan {
  kind: string;
  volume: string;
  guest: string;
  labels: Record<string, string>;
}

export interface BottlePlan {
  /** Absolute path of the manifest the bottle came from (`bottle status` finds its bottles by it). */
  manifest: string;
  /** Package caches (`caches:`), each a volume the manifest's bottles share. */
  caches: CachePlan[];
  /** The bottle's agent name (`<agent>-<i>` for a copy made by --count). */
  agent: string;
  /** The manifest agent it is made from. */
  definition: string;
  bottle: string;
  /** `<agent>-<5 chars>`, stable for the same agent and manifest location. */
  slug: string;
  backend: BackendKind;
  /**
   * The Docker Engine the bottle is placed on (lib/hosts/placement.ts), decided
   * once and kept: the manifest's host as it was then, so every later command
   * reaches it without the manifest. Absent: the process's engine (a plan
   * written before hosts existed, or a smolvm bottle).
   */
  host?: PlacedHost;
  /** `claude-bottle-<slug>` */
  machine: string;
  /** `claude-bottle-<slug>-bundle` */
  bundle: string;
  /** The bottle's own network (no route out) and the bundle's way out, as its backend makes them. */
  network: NetworkSpec;
  /** The bundle's address on that network (the backend decides it). */
  bundleIp: string;
  /** What the agent's URLs name the bundle by: its name where the network has DNS, else its address. */
  bundleHost: string;
  proxyUrl: string;
  labels: Record<string, string>;
  /** Per-bottle state: `<root>/<slug>`. */
  stateDir: string;
  promptFile: string;
  /** null: the image bottle builds (images/agent). */
  image: string | null;
  user: string;
  guestHome: string;
  guestPromptPath: string;
  guestSkillsDir: string;
  guestCaPath: string;
  guestWorkspace: string;
  cpus: number;
  memoryMiB: number;
  /** Most processes at once in the agent machine. */
  pids: number;
  /** A cap on the agent machine's disk; null: none. */
  diskMiB: number | null;
  skills: string[];
  /** Where skills are looked for, in order. */
  skillDirs: string[];
  egress: EgressPlan;
  /** The host repository the git gate is seeded from, and the branch the workspace starts on (null: the host's current one); null: none. */
  git: { repo: string; branch: string | null } | null;
  /** The bottle's repository at the git gate (`<agent>.git`, empty when there is no host repository) and its push policy. */
  gate: GatePlan;
  supervise: { askTimeoutMs: number };
  /** The identity of the agent's commits: the manifest's `git.user`, else one named after the agent. */
  gitIdentity: { name: string; email: string };
  /** The workspace repository's `origin`: the repository at the bundle's git gate. */
  gitOrigin: string;
  /** Names of the guest env variables (values are in the task context only). */
  envNames: string[];
}

/** A manifest host as a plan keeps it: its name, how to reach its engine, and whether plain TCP was allowed. */
export type PlacedHost = Pick<Host, 'name' | 'engine' | 'insecure'>;

export interface GatePlan {
  /** The bare repository's directory name under the gate's root, and the path of its URL. */
  repo: string;
  /** Ref patterns the agent may push to ("*" matches any run of characters). */
  push: string[];
  /** The manifest's secret patterns (the gate adds its own). */
  secrets: SecretPattern[];
}

export const PROXY_PORT = 3128;
export const TLS_PROBE_PORT = 3129;
export const GIT_GATE_PORT = 8418;
export const SUPERVISE_PORT = 8765;

/** The bundle's alias on the bottle's network for its TLS probe (signed by the bottle CA). */
export const CA_PROBE_HOST = 'ca-probe.bottle.internal';
/** Where the guest keeps the bottle CA (also added to the system bundle). */
export const GUEST_CA_PATH = '/usr/local/share/ca-certificates/bot-bottle.crt';

/** The system's CA bundle (Debian's path; curl and OpenSSL read it, git through GIT_SSL_CAINFO). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
