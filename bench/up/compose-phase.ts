/**
 * compose's side of the bench, once bottle is down: the copy's file checked
 * (untimed), `up -d` cold, `up -d` again (a no-op: no container may be
 * recreated), then `down`, after which nothing of the project may be left.
 * The cleanup learns of the project before anything of it exists.
 */
import { randomBytes } from 'node:crypto';
import type { Cleanup } from './cleanup.js';
import { ComposeProject } from './compose.js';
import { seconds, type Timed } from './timing.js';

export interface ComposeFigures {
  project: string;
  up: Timed;
  noop: Timed;
  down: Timed;
  /** Containers running right after the cold up. */
  running: number;
  /** Containers the no-op up recreated. */
  recreated: number;
}

export async function composeRuns(file: string, services: number, signal: AbortSignal, cleanup: Cleanup, log: (line: string) => void): Promise<ComposeFigures> {
  const project = new ComposeProject(`bench-${randomBytes(4).toString('hex')}`, file);
  cleanup.add(`remove what is left of compose project ${project.name}`, () => project.sweep());
  cleanup.add(`docker-compose down (${project.name})`, () => project.down());
  await project.validate();

  log(`== docker-compose up -d (cold), project ${project.name}`);
  const up = await project.up(signal);
  const afterUp = await project.leftovers();
  const running = afterUp.containers.filter((l) => l.endsWith(' running')).length;
  log(`   ${seconds(up.ms)} s, ${running}/${services} containers running`);

  log('== docker-compose up -d (again: a no-op)');
  const noop = await project.up(signal);
  const afterNoop = await project.leftovers();
  const recreated = afterNoop.containers.filter((l) => !afterUp.containers.includes(l)).length;
  log(`   ${seconds(noop.ms)} s, ${recreated} containers recreated`);

  log('== docker-compose down');
  const down = await project.down();
  const left = await project.leftovers();
  const all = [...left.containers, ...left.networks, ...left.volumes];
  if (all.length > 0) throw new Error(`docker-compose down left ${all.join(', ')} of ${project.name}`);
  log(`   ${seconds(down.ms)} s, nothing of ${project.name} left`);
  return { project: project.name, up, noop, down, running, recreated };
}
