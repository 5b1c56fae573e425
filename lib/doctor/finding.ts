/**
 * What `bottle doctor` reports: one finding per problem, each with what it
 * is, why it is one and what `--fix` does, and the repair that does it. The
 * kinds are one closed union, so a table keyed by kind is compiler-guided.
 * It finds nothing and repairs nothing itself (examine.ts, repair.ts).
 */
import type { BackendKind, LabelledObject } from '../backends/types.js';
import type { BottlePlan } from '../plan/types.js';

export const FINDING_KINDS = ['orphan', 'gone-root', 'stale-record', 'stale-lock', 'temp-file'] as const;

/**
 * - `orphan`: an object labelled for this state root (or unlabelled but named by it) whose bottle it holds no plan or record of;
 * - `gone-root`: an object labelled for another state root, which no longer exists;
 * - `stale-record`: a bottle whose record says its machines were made, and one is gone;
 * - `stale-lock`: a lock whose holder no longer runs;
 * - `temp-file`: what a killed run left half-written in the state root.
 */
export type FindingKind = (typeof FINDING_KINDS)[number];

/** How `--fix` repairs a finding. */
export type Repair =
  | { type: 'remove-object'; backend: BackendKind; object: LabelledObject }
  /** Run the up graph for the bottle, from its manifest. */
  | { type: 'reprovision'; plan: BottlePlan }
  /** Run the down graph with purge: what is left of the bottle, then its state dir. */
  | { type: 'purge'; plan: BottlePlan }
  /** Delete the lock file if it still holds `text` (no run took it over meanwhile). */
  | { type: 'remove-lock'; path: string; text: string }
  | { type: 'remove-path'; path: string };

export interface Finding {
  kind: FindingKind;
  /** What is wrong: `container claude-bottle-demo-x1y2z`, a path, `bottle demo-x1y2z`. */
  subject: string;
  /** Why it is a finding. */
  detail: string;
  /** What `--fix` does about it, in words. */
  fix: string;
  /** null: `--fix` cannot repair it (`fix` says what to do instead). */
  repair: Repair | null;
}

/** A finding as `bottle doctor --json` writes it: the repair stays inside. */
export function findingJson(finding: Finding): { kind: FindingKind; subject: string; detail: string; fix: string } {
  return { kind: finding.kind, subject: finding.subject, detail: finding.detail, fix: finding.fix };
}
