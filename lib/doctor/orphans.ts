/**
 * Whose a labelled object is, and which are orphans: by labels only, never by
 * name. An object labelled with this state root is this root's, and an
 * orphan when the root holds no plan or record of its bottle. One labelled
 * with another state root is left alone, unless that root no longer exists
 * (`gone-root`). One made before objects carried their state root is this
 * root's only when the root names its bottle, and then it is no orphan; it
 * could be any root's otherwise, so it is left alone. It lists and removes
 * nothing (the backend does).
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { SLUG_LABEL, STATE_ROOT_LABEL } from '../backends/labels.js';
import type { BackendKind, LabelledObject } from '../backends/types.js';
import { errnoCode } from '../state/errors.js';
import type { Finding } from './finding.js';

/** A state root a label names, seen from this one. */
export type RootState = 'this' | 'gone' | 'other';

export interface OrphanInputs {
  backend: BackendKind;
  objects: readonly LabelledObject[];
  /** This state root (absolute). */
  root: string;
  /** Slugs this root holds a plan or a record of. */
  known: ReadonlySet<string>;
  /** What the state root a label names is (rootStates). */
  rootState(path: string): RootState;
  /** Judge objects of other state roots (gone-root); false leaves them out. */
  otherRoots: boolean;
}

/** What a user calls each object of a backend. */
const NOUNS: Record<BackendKind, Record<LabelledObject['type'], string>> = {
  docker: { machine: 'container', network: 'network' },
  smolvm: { machine: 'machine', network: 'network' },
};

/** Machines first: a network is removed once nothing of the bottle is on it. */
export function findOrphans(inputs: OrphanInputs): Finding[] {
  const found: Finding[] = [];
  const ordered = [...inputs.objects].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'machine' ? -1 : 1));
  for (const object of ordered) {
    const slug = object.labels[SLUG_LABEL];
    const labelled = object.labels[STATE_ROOT_LABEL];
    if (!slug || labelled === undefined) continue; // unlabelled: ours only when named, and then no orphan
    const state = labelled === inputs.root ? 'this' : inputs.rootState(labelled);
    const noun = NOUNS[inputs.backend][object.type];
    const what = `a ${inputs.backend} ${noun} of bottle ${slug}`;
    const repair = { type: 'remove-object' as const, backend: inputs.backend, object };
    if (state === 'this' && !inputs.known.has(slug)) {
      found.push({
        kind: 'orphan',
        subject: `${noun} ${object.name}`,
        detail: `${what}, labelled for this state root, which holds no plan or record of that bottle`,
        fix: `remove the ${noun}`,
        repair,
      });
    } else if (state === 'gone' && inputs.otherRoots) {
      found.push({
        kind: 'gone-root',
        subject: `${noun} ${object.name}`,
        detail: `${what}, labelled for the state root ${labelled}, which no longer exists`,
        fix: `remove the ${noun}`,
        repair,
      });
    }
  }
  return found;
}

/**
 * Judges label paths against `root`: the same directory (through links too),
 * gone (nothing there), or another root. A path that cannot be looked at (a
 * directory of another user's) or is not absolute counts as another root's,
 * never as gone.
 */
export function rootStates(root: string): (path: string) => RootState {
  const here = realOrSelf(root);
  return (path) => {
    if (!isAbsolute(path)) return 'other';
    try {
      statSync(path);
    } catch (error) {
      const code = errnoCode(error);
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'gone' : 'other';
    }
    return realOrSelf(path) === here ? 'this' : 'other';
  };
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
