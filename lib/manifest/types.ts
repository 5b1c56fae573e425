/**
 * The normalised manifest: what every module after lib/manifest reads. Defaults
 * are filled in and paths are absolute, so downstream code trusts it and never
 * re-checks or re-defaults a field. What a user may write is `ManifestInput`
 * (schema.ts).
 */
import type { LimitName } from '../limits/names.js';
import type { BackendKind } from '../backends/kinds.js';
import type { Credential, EgressRule } from './egress.js';
import type { EnvSecret } from './env.js';
import type { CacheKind } from './caches.js';
import type { PLACEMENTS } from './defaults.js';

export type { Credential, EgressRule, EnvSecret };

export interface SecretPattern {
  /** Shown to the pusher when a push is refused. */
  name: string;
  /** A JavaScript regular expression's source (checked: compiles, matches no empty text). */
  pattern: string;
}

export interface GitSettings {
  /** Absolute path of the host repository (its existence is checked later, by the prepare task). */
  repo: string;
  /** The branch the workspace starts on; undefined: the host repository's current one, found when planned. */
  branch?: string;
  /** Ref patterns the agent may push to (`refs/heads/agent/*`); undefined: `refs/heads/bottle/<agent>/*`; empty: every push is refused. */
  push?: string[];
  /** The manifest's secret patterns, besides the gate's own. */
  secrets: SecretPattern[];
  /** Identity of the agent's commits; none: the git task decides. */
  user?: { name: string; email: string };
}

export interface SuperviseSettings {
  /** Seconds `ask_human` waits for an answer, 10 to 604800 (a week); 3600 by default. */
  askTimeout: number;
}

export interface EgressSettings {
  /** An empty list (the default) allows no outbound traffic. */
  allow: EgressRule[];
  /** The audit log is rotated past `maxBytes` (64 MiB by default), keeping `keep` old files (0-10, 2 by default). */
  audit: { maxBytes: number; keep: number };
  /** Connections the egress proxy holds open at once, 1-65536; 256 by default. */
  maxConnections: number;
  /** Seconds a connection may sit idle before it is closed, 1-86400; 300 by default. */
  idleTimeout: number;
  /** Headers the proxy sets (values read at up, never here); their hosts' rules are inspected. */
  credentials: Credential[];
  /** Absolute path of a PEM file of extra roots for inspected upstreams. */
  upstreamCa?: string;
}

export interface Bottle {
  /** Its key in `bottles`. */
  name: string;
  /** Undefined: the first backend available, decided when the plan is made. */
  backend?: BackendKind;
  /** Undefined: our agent image. */
  image?: string;
  /** More than 0, at most 64, fractions allowed; 2 by default. */
  cpus: number;
  /** Whole MiB, 128 to 1 TiB; 4096 by default. */
  memory: number;
  /** The agent machine's process limit, 64 to 1048576; 4096 by default. */
  pids: number;
  /** Disk cap of the agent machine, whole MiB (1 GiB to 64 TiB); undefined: no cap. */
  disk?: number;
  env: Record<string, string>;
  /** Secrets of env: their values never written by bottle but into the agent's environment. */
  secretEnv: Record<string, EnvSecret>;
  /** Absolute, normalised guest path; `/home/node` by default. */
  guestHome: string;
  /** The non-root guest user the agent runs as; `node` by default. */
  user: string;
  egress: EgressSettings;
  /** Package caches shared by the manifest's bottles (Docker volumes). */
  caches: CacheKind[];
  git?: GitSettings;
  supervise: SuperviseSettings;
}

/** The engine a host names: the local one, a Docker host URL (its TLS files absolute), or a Docker context. */
export type HostEngine =
  | { kind: 'local' }
  | { kind: 'url'; docker: string; tls?: { ca: string; cert: string; key: string } }
  | { kind: 'context'; context: string };

export interface Host {
  /** Its key in `hosts` (`local` for the local engine of a manifest without `hosts:`). */
  name: string;
  engine: HostEngine;
  /** How many bottles it may run at once; undefined: no budget. */
  bottles?: number;
  /** A plain tcp:// host the manifest allowed without TLS (`insecure: true`). */
  insecure: boolean;
}

/** spread: the host with the fewest bottles first; pack: fill one host before the next. */
export type Placement = (typeof PLACEMENTS)[number];

export interface Agent {
  /** Its key in `agents`. */
  name: string;
  /** The name of a bottle of the same manifest (checked). */
  bottle: string;
  /** The host (of `hosts`, checked) its bottles must run on; undefined: placement decides. */
  host?: string;
  skills: string[];
  /** The prompt text: inline, or the content of `promptFile` read at load time; '' for none. */
  prompt: string;
  /** `inline`, or the absolute path of the prompt file the text came from. */
  promptSource: 'inline' | (string & {});
  env: Record<string, string>;
  /** Secrets of env: their values never written by bottle but into the agent's environment. */
  secretEnv: Record<string, EnvSecret>;
}

export interface Manifest {
  version: 1;
  /** Absolute; `skills/` beside the manifest by default. */
  skillsDir: string;
  /** Every named limit, the manifest's or its default (lib/limits/names.ts). */
  limits: Record<LimitName, number>;
  /** The engines bottles may run on; without `hosts:`, the local engine alone, as `local`. */
  hosts: Record<string, Host>;
  /** `spread` by default. */
  placement: Placement;
  bottles: Record<string, Bottle>;
  agents: Record<string, Agent>;
}

/** Where a manifest came from: its file, and the directory its relative paths are resolved against. */
export interface ManifestSource {
  /** The file, as it should appear in messages (absolute when read from disk). */
  path: string;
  /** An absolute directory. */
  dir: string;
}

export interface LoadedManifest {
  /** Absolute path of the manifest file. */
  path: string;
  /** Its directory, against which relative paths were resolved. */
  dir: string;
  manifest: Manifest;
}
