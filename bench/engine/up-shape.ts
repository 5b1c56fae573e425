/**
 * The benchmark's graph: the ten bottle tasks of the up graph with their
 * needs, in the shape it first had (start-vm beside daemons, not after it;
 * docs/architecture.md has today's), doing no work, so that what is timed is
 * the scheduler alone.
 */
import type { TaskDef } from '../../lib/engine/index.js';

export const UP_SHAPE: Record<string, string[]> = {
  prepare: [],
  network: ['prepare'],
  daemons: ['network'],
  'start-vm': ['prepare', 'network'],
  prompt: ['start-vm'],
  skills: ['start-vm'],
  ca: ['start-vm', 'daemons'],
  git: ['start-vm', 'daemons'],
  supervise: ['start-vm', 'daemons'],
  ready: ['ca', 'git', 'supervise', 'prompt', 'skills'],
};

export function noWorkTasks(): TaskDef<unknown>[] {
  return Object.entries(UP_SHAPE).map(([id, needs]) => ({ id, title: id, needs, run: () => undefined }));
}
