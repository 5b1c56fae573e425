/**
 * What `up` and `task` say, before they run, about the live rules of
 * `bottle allow`/`deny`: for each bottle that has some, whether this run
 * keeps them (--keep-live-rules) or goes back to the manifest's egress. The
 * daemons task does the keeping or dropping; this only reads.
 */
import { describeLiveRules, isEmpty, readLiveRules } from '../lib/policy/live-rules.js';
import type { BottlePlan } from '../lib/plan/types.js';
import { bottleFiles } from '../lib/state/layout.js';

export async function liveRulesNotes(plans: readonly BottlePlan[], keep: boolean): Promise<string[]> {
  const notes: string[] = [];
  for (const plan of plans) {
    const live = await readLiveRules(bottleFiles(plan.stateDir).liveRules);
    if (isEmpty(live)) continue;
    notes.push(
      keep
        ? `bottle: ${plan.agent}: keeping the live rules (--keep-live-rules): ${describeLiveRules(live)}`
        : `bottle: ${plan.agent}: dropping the live rules, back to the manifest's egress: ${describeLiveRules(live)} (--keep-live-rules keeps them)`,
    );
  }
  return notes;
}
