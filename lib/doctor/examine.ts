/**
 * Everything `bottle doctor` checks, in one pass over a state root and the
 * backends: orphans both ways (objects no record names, records whose
 * machines are gone), stale locks, leftover temp files. The backends' objects
 * are listed before the state root is read: a `bottle up` running meanwhile
 * writes a bottle's plan before it makes anything, so nothing it made can
 * look like an orphan. It changes nothing (repair.ts does).
 */
import { existsSync } from 'node:fs';
import type { Backend, BackendKind, LabelledObject, OpOptions } from '../backends/types.js';
import { bottleSlugs, knownBottles } from '../plan/known-bottles.js';
import type { BottlePlan } from '../plan/types.js';
import { bottleFiles, recordFile } from '../state/layout.js';
import { itemDir } from '../state/root.js';
import type { Finding } from './finding.js';
import { findOrphans, rootStates, type RootState } from './orphans.js';
import { findStaleLocks, isHeld } from './stale-locks.js';
import { findStaleRecords } from './stale-records.js';
import { findTempFiles } from './temp-files.js';

/** A temp file younger than this may still be being written. */
export const MIN_TEMP_AGE_MS = 60_000;

export interface DoctorOptions extends OpOptions {
  /** The state root (absolute). */
  root: string;
  /** The backends whose labelled objects are judged: those in use here that can list them. */
  scanned: readonly BackendKind[];
  backendFor(kind: BackendKind): Backend;
  /** The backend where a bottle's plan says its machines are (its kind, on its host's engine). */
  backendOf(where: Pick<BottlePlan, 'backend' | 'host'>): Backend;
  /** The agents the manifest at this path names; null when there is no file there; throws when it does not load. */
  agentsOf(manifest: string): Promise<string[] | null>;
  /** Also judge objects of other state roots (those gone are `gone-root`). */
  otherRoots: boolean;
  /** Milliseconds since the epoch, now. */
  now: number;
  minTempAgeMs?: number;
  /** What a label's state root is; by default, looked at on disk (rootStates). */
  rootState?: (path: string) => RootState;
}

export interface Examination {
  findings: Finding[];
  /** What could not be checked, and why: the findings may be incomplete. */
  problems: string[];
}

export async function examine(options: DoctorOptions): Promise<Examination> {
  const { root } = options;
  const problems: string[] = [];
  const objects = new Map<BackendKind, LabelledObject[]>();
  for (const kind of options.scanned) {
    const backend = options.backendFor(kind);
    if (!backend.listLabelled) continue;
    try {
      objects.set(kind, await backend.listLabelled(options.signal ? { signal: options.signal } : {}));
    } catch (error) {
      problems.push(`could not list the objects ${kind} holds of bottles (by their labels): ${(error as Error).message}`);
    }
  }
  const known = new Set(bottleSlugs(root).filter((slug) => existsSync(bottleFiles(itemDir(root, slug)).plan) || existsSync(recordFile(root, slug))));
  const rootState = options.rootState ?? rootStates(root);
  const orphans = [...objects].flatMap(([backend, list]) => findOrphans({ backend, objects: list, root, known, rootState, otherRoots: options.otherRoots }));
  const stale = await findStaleRecords({
    bottles: knownBottles(root),
    isHeld,
    status: (where, machines) => options.backendOf(where).status(machines, options.signal ? { signal: options.signal } : {}),
    agentsOf: options.agentsOf,
  });
  problems.push(...stale.problems);
  const locks = findStaleLocks(root);
  const temps = findTempFiles(root, { now: options.now, minAgeMs: options.minTempAgeMs ?? MIN_TEMP_AGE_MS, isHeld });
  return { findings: [...orphans, ...stale.findings, ...locks, ...temps], problems };
}
