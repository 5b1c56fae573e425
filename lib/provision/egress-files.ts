/**
 * The files of a bottle's egress proxy that the host keeps current while the
 * bundle runs, in the bundle's config directory: the policy (the manifest's
 * allowlist, with or without the live rules of `bottle allow`/`deny`), the
 * credentials (the values read at `up`, 0600, the bundle's user's only), a
 * leaf certificate per inspected host (signed by the bottle's CA) and the
 * manifest's extra upstream roots. The proxy reloads the policy and the
 * credentials when they change, so writing them restarts nothing. It writes
 * files and says whether they are current; it decides no policy.
 */
import { readFile } from 'node:fs/promises';
import type { CaFiles } from '../ca/openssl.js';
import { ensureLeaves } from '../ca/leaves.js';
import type { RunOptions } from '../process/run.js';
import type { BottlePlan } from '../plan/types.js';
import { egressPolicy, policyText } from '../policy/egress-policy.js';
import type { LiveRules } from '../policy/live-rules.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { Owner } from '../state/bundle-owner.js';
import type { BottleFiles } from '../state/layout.js';

export interface EgressFileInputs {
  plan: BottlePlan;
  files: BottleFiles;
  /** The live rules this run keeps (none unless --keep-live-rules). */
  live: LiveRules;
  /** The values of plan.egress.credentials, in order. */
  credentialValues: readonly string[];
}

/** `{ credentials: [{ host, header, value }] }`, as the proxy reads it. */
export function credentialsText(plan: BottlePlan, values: readonly string[]): string {
  const credentials = plan.egress.credentials.map((c, i) => ({ host: c.host, header: c.header, value: values[i] ?? '' }));
  return `${JSON.stringify({ credentials }, null, 2)}\n`;
}

/** The hosts the proxy inspects: each needs a leaf. */
export function inspectedHosts(plan: BottlePlan): string[] {
  return [...new Set(plan.egress.allow.filter((rule) => rule.inspect).map((rule) => rule.host))];
}

/** Writes the policy and the credentials (each only when it changed), and issues the leaves that are missing. */
export async function writeEgressFiles(inputs: EgressFileInputs, ca: CaFiles & { digest: string }, owner: Owner, options: RunOptions = {}): Promise<{ issued: string[] }> {
  const { plan, files } = inputs;
  const issued = await ensureLeaves(ca, ca.digest, files.leafDir, inspectedHosts(plan), options);
  if (plan.egress.upstreamCa) await writeIfChanged(files.upstreamCa, await readFile(plan.egress.upstreamCa), 0o644, owner);
  // The credentials first: a policy that inspects a new host finds its credential there already.
  await writeIfChanged(files.credentials, credentialsText(plan, inputs.credentialValues), 0o600, owner);
  await writeIfChanged(files.egressPolicy, policyText(egressPolicy(plan, inputs.live)), 0o644, owner);
  return { issued };
}

/** Reads one of the live files; undefined when it is not there. */
export type LiveFileReader = (name: 'egressPolicy' | 'credentials') => Promise<string | undefined>;

/** Whether the policy and credentials the proxy reads are what `inputs` make (a changed key or dropped live rule is not): the host's files, or as `read` reads them (the bundle's own copy: lib/provision/bundle-sync.ts). */
export async function egressFilesCurrent(inputs: EgressFileInputs, read: LiveFileReader = (name) => readOr(inputs.files[name])): Promise<boolean> {
  const { plan } = inputs;
  const [policy, credentials] = await Promise.all([read('egressPolicy'), read('credentials')]);
  return policy === policyText(egressPolicy(plan, inputs.live)) && credentials === credentialsText(plan, inputs.credentialValues);
}

async function writeIfChanged(path: string, content: string | Buffer, mode: number, owner: Owner): Promise<void> {
  const current = await readFile(path).catch(() => undefined);
  if (current?.equals(Buffer.from(content))) return;
  await writeFileAtomic(path, content, mode, owner);
}

function readOr(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
