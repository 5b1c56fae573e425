/** A bottle's gate repository on the host, and bottle's git for it, from its plan. */
import { join } from 'node:path';
import type { BottlePlan } from '../plan/types.js';
import { bottleFiles } from '../state/layout.js';
import { hostGit, type HostGit } from './host-git.js';

export function gateRepoOf(plan: BottlePlan): string {
  return join(bottleFiles(plan.stateDir).gateDir, plan.gate.repo);
}

/** bottle's git for this bottle: it trusts the gate repository and the host's, nothing else. */
export function gitFor(plan: BottlePlan): Promise<HostGit> {
  return hostGit(bottleFiles(plan.stateDir).hostGitConfig, [gateRepoOf(plan), ...(plan.git ? [plan.git.repo] : [])]);
}
