/**
 * `bottle doctor --fix`: carries out each finding's repair, in an order that
 * never pulls something from under the next one: locks and temp files,
 * orphan machines, then orphan networks (nothing of theirs is on them any
 * more), then the bottles to bring up again or purge, one run each (the CLI
 * runs the graphs, through the hooks). A repair that fails is reported and
 * the others go on. It finds nothing (examine.ts).
 */
import { rm } from 'node:fs/promises';
import type { Backend, BackendKind, OpOptions } from '../backends/types.js';
import type { BottlePlan } from '../plan/types.js';
import type { Finding, Repair } from './finding.js';
import { removeStaleLock } from './stale-locks.js';

export interface RepairHooks extends OpOptions {
  backendFor(kind: BackendKind): Backend;
  /** The way out of the bottle whose network is `network`, removed with it once nothing is on it (as `bottle down` does). */
  egressOf(kind: BackendKind, network: string): string;
  /** Brings the bottles up again (the up graph); what went wrong, by slug, for those that did not come up. */
  reprovision(plans: readonly BottlePlan[]): Promise<Map<string, string>>;
  /** Takes the bottles down and deletes their state dirs (the down graph with purge); what went wrong, by slug. */
  purge(plans: readonly BottlePlan[]): Promise<Map<string, string>>;
}

export interface Repairs {
  fixed: Finding[];
  failed: { finding: Finding; error: string }[];
}

type Step = (findings: readonly Finding[], hooks: RepairHooks, out: Repairs) => Promise<void>;

const one = (act: (repair: Repair, hooks: RepairHooks) => Promise<void>): Step => async (findings, hooks, out) => {
  for (const finding of findings) {
    try {
      await act(finding.repair!, hooks);
      out.fixed.push(finding);
    } catch (error) {
      out.failed.push({ finding, error: (error as Error).message });
    }
  }
};

const bottles = (run: (hooks: RepairHooks) => RepairHooks['purge']): Step => async (findings, hooks, out) => {
  if (findings.length === 0) return;
  const plans = findings.map((f) => (f.repair as Extract<Repair, { plan: BottlePlan }>).plan);
  let errors: Map<string, string>;
  try {
    errors = await run(hooks)(plans);
  } catch (error) {
    errors = new Map(plans.map((p) => [p.slug, (error as Error).message]));
  }
  findings.forEach((finding, i) => {
    const error = errors.get(plans[i]!.slug);
    if (error === undefined) out.fixed.push(finding);
    else out.failed.push({ finding, error });
  });
};

const removePath = one(async (repair) => {
  if (repair.type === 'remove-lock') await removeStaleLock(repair.path, repair.text);
  if (repair.type === 'remove-path') await rm(repair.path, { recursive: true, force: true });
});

const removeObject = one(async (repair, hooks) => {
  if (repair.type !== 'remove-object') return;
  const backend = hooks.backendFor(repair.backend);
  const options = hooks.signal ? { signal: hooks.signal } : {};
  const { object } = repair;
  if (object.type === 'machine') return backend.removeMachine(object.name, options);
  await backend.removeNetwork({ name: object.name, egress: { name: hooks.egressOf(repair.backend, object.name), subnet: null }, subnet: null, labels: object.labels }, options);
});

/** In order; each step gets the findings whose repair it does. */
const STEPS: readonly { takes: (repair: Repair) => boolean; step: Step }[] = [
  { takes: (r) => r.type === 'remove-lock' || r.type === 'remove-path', step: removePath },
  { takes: (r) => r.type === 'remove-object' && r.object.type === 'machine', step: removeObject },
  { takes: (r) => r.type === 'remove-object' && r.object.type === 'network', step: removeObject },
  { takes: (r) => r.type === 'reprovision', step: bottles((hooks) => hooks.reprovision) },
  { takes: (r) => r.type === 'purge', step: bottles((hooks) => hooks.purge) },
];

/** Findings without a repair are left as they are: in neither list. */
export async function repair(findings: readonly Finding[], hooks: RepairHooks): Promise<Repairs> {
  const out: Repairs = { fixed: [], failed: [] };
  for (const { takes, step } of STEPS) {
    if (hooks.signal?.aborted) break;
    await step(findings.filter((f) => f.repair !== null && takes(f.repair)), hooks, out);
  }
  return out;
}
