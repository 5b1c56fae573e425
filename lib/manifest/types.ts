/**
 * The normalised manifest: what every module after lib/manifest reads. Defaults
 * are filled in and paths are absolute, so downstream code trusts it and never
 * re-checks or re-defaults a field. What a user may write is `ManifestInput`
 * (schema.ts).
 */
import type { BackendName } from './bottle-schema.js';
import type { EgressRule } from './egress.js';

export type { BackendName, EgressRule };

export interface GitSettings {
  /** Absolute path of the host repository (its existence is checked later, by the prepare task). */
  repo: string;
  /** Ref patterns the agent may push to (`refs/heads/agent/*`); empty: every push is refused. */
  push: string[];
  /** Identity of the agent's commits; none: the git task decides. */
  user?: { name: string; email: string };
}

export interface Bottle {
  /** Its key in `bottles`. */
  name: string;
  /** Undefined: the first backend available, decided when the plan is made. */
  backend?: BackendName;
  /** Undefined: our agent image. */
  image?: string;
  cpus?: number;
  /** Whole MiB, at least 128. */
  memory?: number;
  env: Record<string, string>;
  /** Absolute, normalised guest path; `/home/node` by default. */
  guestHome: string;
  /** The non-root guest user the agent runs as; `node` by default. */
  user: string;
  /** An empty list allows no outbound traffic. */
  egress: { allow: EgressRule[] };
  git?: GitSettings;
}

export interface Agent {
  /** Its key in `agents`. */
  name: string;
  /** The name of a bottle of the same manifest (checked). */
  bottle: string;
  skills: string[];
  /** The prompt text: inline, or the content of `promptFile` read at load time; '' for none. */
  prompt: string;
  /** `inline`, or the absolute path of the prompt file the text came from. */
  promptSource: 'inline' | (string & {});
  env: Record<string, string>;
}

export interface Manifest {
  version: 1;
  /** Absolute; `skills/` beside the manifest by default. */
  skillsDir: string;
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
