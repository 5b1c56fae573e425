/**
 * What `bottle ls` calls a bottle, judged from its record, whether a run
 * holds it and what the backend says of its two machines. The first that
 * holds, in this order:
 *
 *   orphaned  the root holds no plan or record of it, yet its backend has
 *             objects labelled for this root; or its record says its
 *             machines were made and one of them is gone
 *   busy      a live `bottle` run holds its lock (up, down, stop, start)
 *   unknown   its backend could not be asked
 *   failed    a task of its last run failed
 *   down      no record and no machines (`bottle down` kept its state)
 *   stopped   both machines exist and neither runs (`bottle stop`)
 *   up        both machines run, its record's `ready` task is done and
 *             no task of it is left unfinished
 *   partial   anything else: one machine runs and the other does not, or
 *             a run did not finish (cancelled, killed)
 *
 * It reads and asks nothing (list-bottles.ts gathers what it judges).
 */
import type { ItemRecord } from '../engine/index.js';
import type { MachineState } from '../backends/types.js';

/** Every state, in the order a total line lists them. */
export const LISTED_STATES = ['up', 'busy', 'stopped', 'partial', 'failed', 'orphaned', 'down', 'unknown'] as const;
export type ListedState = (typeof LISTED_STATES)[number];

/** A bottle's two machines, as its backend has them. */
export interface BottleMachines {
  agent: MachineState;
  bundle: MachineState;
}

export interface JudgeInputs {
  /** Whether the state root holds a plan or a record of the bottle. */
  known: boolean;
  record: ItemRecord | null;
  /** Whether a live run holds the bottle's lock. */
  held: boolean;
  /** null: the backend could not be asked. */
  machines: BottleMachines | null;
}

/** The up graph's tasks that make the machines (tasks/daemons.ts, tasks/start-vm.ts), by the machine each makes. */
const MADE_BY = { daemons: 'bundle', 'start-vm': 'agent' } as const;

const succeeded = (status: string | undefined) => status === 'done' || status === 'up-to-date';

export function judgeState(inputs: JudgeInputs): ListedState {
  const { record, machines } = inputs;
  if (!inputs.known) return 'orphaned';
  if (inputs.held) return 'busy';
  if (!machines) return 'unknown';
  const made = Object.entries(MADE_BY).filter(([task]) => succeeded(record?.tasks[task]?.status));
  if (made.some(([, which]) => machines[which] === 'missing')) return 'orphaned';
  const statuses = Object.values(record?.tasks ?? {}).map((t) => t.status);
  if (statuses.includes('failed')) return 'failed';
  const both = [machines.agent, machines.bundle];
  if (record === null && both.every((s) => s === 'missing')) return 'down';
  if (both.every((s) => s === 'stopped')) return 'stopped';
  if (both.every((s) => s === 'running') && succeeded(record?.tasks.ready?.status) && statuses.every(succeeded)) return 'up';
  return 'partial';
}
