/**
 * Reuse or recreate, the way every backend starts a machine: each machine
 * carries the hash of everything that shapes it in the label
 * `bot-bottle.config`; one whose label matches is reused (started if it is
 * not running), one whose label differs is removed and made anew. The
 * backend says how to find, start, remove and create; this says when.
 */
import type { MachineInfo, MachineSpec } from './types.js';

export const CONFIG_LABEL = 'bot-bottle.config';

/** A machine as a backend found it. */
export interface FoundMachine {
  labels: Record<string, string> | null;
  running: boolean;
  /** Its id, as MachineInfo reports it. */
  id: string;
}

export interface MachineSteps {
  find(): Promise<FoundMachine | null>;
  start(): Promise<void>;
  remove(): Promise<void>;
  /** Makes it and starts it: the id of what was made, or of ours that someone made meanwhile (`reused`). */
  create(): Promise<{ id: string; reused?: boolean }>;
}

/** The labels a machine of `spec` is made with. */
export function machineLabels(spec: MachineSpec): Record<string, string> {
  return { ...spec.labels, [CONFIG_LABEL]: spec.configHash };
}

export function isConfigured(found: FoundMachine | null, spec: MachineSpec): found is FoundMachine {
  return found !== null && found.labels?.[CONFIG_LABEL] === spec.configHash;
}

export async function reuseOrRecreate(spec: MachineSpec, steps: MachineSteps): Promise<MachineInfo> {
  const found = await steps.find();
  if (isConfigured(found, spec)) {
    if (!found.running) await steps.start();
    return { name: spec.name, id: found.id, created: false };
  }
  if (found) await steps.remove();
  const made = await steps.create();
  return { name: spec.name, id: made.id, created: !made.reused };
}
