/**
 * Bottles whose record says their machines were made (the `start-vm` and
 * `daemons` tasks done or up to date) while the backend has one of them no
 * more: a stale record. What `--fix` does is what the manifest asks, as
 * `docker compose up` would: a bottle its manifest still names is brought up
 * again; one whose manifest, or agent in it, is gone has no desired state,
 * so what is left of it is taken down and its state dir deleted (`bottle
 * down --purge`). A bottle a live run holds is not judged, nor is one the
 * backend stopped (`bottle up` starts it). It runs no graph (the CLI does).
 */
import type { MachineState } from '../backends/types.js';
import { groupByWhere, whereKey } from '../hosts/backend-of-plan.js';
import type { KnownBottle } from '../plan/known-bottles.js';
import type { BottlePlan } from '../plan/types.js';
import type { Finding } from './finding.js';

/** The up graph's tasks that make the machines (tasks/start-vm.ts, tasks/daemons.ts), by the machine each makes. */
const MADE_BY = { 'start-vm': 'machine', daemons: 'bundle' } as const;

export interface StaleRecordInputs {
  bottles: readonly KnownBottle[];
  /** Whether a live run holds the bottle's state dir. */
  isHeld(dir: string): boolean;
  /** What the backend says of these machines. */
  status(where: Pick<BottlePlan, 'backend' | 'host'>, machines: readonly string[]): Promise<Map<string, MachineState>>;
  /** The agents the manifest at this path names; null when there is no file there; throws when it does not load. */
  agentsOf(manifest: string): Promise<string[] | null>;
}

export interface StaleRecords {
  findings: Finding[];
  /** Backends that could not be asked, and why. */
  problems: string[];
}

export async function findStaleRecords(inputs: StaleRecordInputs): Promise<StaleRecords> {
  const claimed = inputs.bottles
    .filter((b) => !inputs.isHeld(b.plan.stateDir))
    .map((b) => ({ plan: b.plan, machines: madeMachines(b) }))
    .filter((c) => c.machines.length > 0);
  const states = new Map<string, MachineState>();
  const problems: string[] = [];
  for (const group of groupByWhere(claimed)) {
    const names = group.items.flatMap((c) => c.machines);
    try {
      for (const [name, state] of await inputs.status(group.where, names)) states.set(`${whereKey(group.where)}/${name}`, state);
    } catch (error) {
      problems.push(`could not ask ${group.label} whether the machines of ${names.length} recorded bottle(s) exist: ${(error as Error).message}`);
    }
  }
  const agents = new Map<string, Promise<string[] | null>>();
  const agentsOf = (manifest: string) => {
    if (!agents.has(manifest)) agents.set(manifest, inputs.agentsOf(manifest));
    return agents.get(manifest)!;
  };
  const findings: Finding[] = [];
  for (const { plan, machines } of claimed) {
    const gone = machines.filter((m) => states.get(`${whereKey(plan)}/${m}`) === 'missing');
    if (gone.length === 0) continue;
    findings.push({
      kind: 'stale-record',
      subject: `bottle ${plan.slug}`,
      detail: `the record of agent ${plan.agent} (${plan.manifest}) says its machines were made, but ${plan.backend} has no ${gone.join(' and no ')}`,
      ...(await fixFor(plan, agentsOf)),
    });
  }
  return { findings, problems };
}

/** The machines the record says were made. */
function madeMachines(bottle: KnownBottle): string[] {
  return Object.entries(MADE_BY)
    .filter(([task]) => ['done', 'up-to-date'].includes(bottle.record?.tasks[task]?.status ?? ''))
    .map(([, which]) => bottle.plan[which]);
}

async function fixFor(plan: BottlePlan, agentsOf: (manifest: string) => Promise<string[] | null>): Promise<Pick<Finding, 'fix' | 'repair'>> {
  const purge = (why: string) => ({
    fix: `${why}: take down what is left of the bottle and delete its state dir, gate repository included (as \`bottle down --purge\`)`,
    repair: { type: 'purge' as const, plan },
  });
  let agents: string[] | null;
  try {
    agents = await agentsOf(plan.manifest);
  } catch (error) {
    return { fix: `none: ${plan.manifest} does not load (${(error as Error).message}); fix it, then run \`bottle doctor --fix\` again`, repair: null };
  }
  if (agents === null) return purge(`its manifest ${plan.manifest} is gone`);
  if (!agents.includes(plan.definition)) return purge(`${plan.manifest} no longer has the agent ${plan.definition}`);
  return { fix: `bring the bottle up again from ${plan.manifest} (the up graph, as \`bottle up\` runs it)`, repair: { type: 'reprovision', plan } };
}
