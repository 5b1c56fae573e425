import { describe, expect, it } from 'vitest';
import { defineGraph } from '../../lib/engine/graph.js';
import { EngineError } from '../../lib/engine/errors.js';
import type { TaskDef } from '../../lib/engine/task.js';

const t = (id: string, needs: string[] = [], scope: 'bottle' | 'run' = 'bottle'): TaskDef => ({
  id,
  title: id,
  needs,
  scope,
  run: () => undefined,
});

function problemsOf(tasks: TaskDef[]): readonly string[] {
  try {
    defineGraph(tasks);
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('GRAPH_INVALID');
    return (error as EngineError).problems;
  }
  throw new Error('expected the graph to be rejected');
}

describe('defineGraph', () => {
  it('orders tasks so that needs come first, keeping declaration order among equals', () => {
    const g = defineGraph([t('ready', ['ca', 'git']), t('git', ['prepare']), t('ca', ['prepare']), t('prepare')]);
    expect(g.tasks.map((x) => x.id)).toEqual(['prepare', 'git', 'ca', 'ready']);
  });

  it('ranks each task by the longest path from it to the end', () => {
    const g = defineGraph([t('a'), t('b', ['a']), t('c', ['b']), t('d', ['a'])]);
    expect(Object.fromEntries(g.rank)).toEqual({ a: 3, b: 2, c: 1, d: 1 });
  });

  it('names a duplicate id and an unknown need with the tasks there are', () => {
    const problems = problemsOf([t('a'), t('a'), t('b', ['nope'])]);
    expect(problems).toContain('task id "a" is declared 2 times; ids must be unique');
    expect(problems).toContain('task "b" needs "nope", which is not a task of this graph (tasks: a, b)');
  });

  it('names a need listed twice', () => {
    expect(problemsOf([t('a'), t('b', ['a', 'a'])])).toEqual(['task "b" lists need "a" more than once']);
  });

  it('reports every cycle as a path, all problems at once', () => {
    const problems = problemsOf([t('a', ['b']), t('b', ['a']), t('c', ['d']), t('d', ['e']), t('e', ['c']), t('s', ['s'])]);
    expect(problems).toEqual([
      'cycle (each task needs the next): a -> b -> a',
      'cycle (each task needs the next): c -> d -> e -> c',
      'cycle (each task needs the next): s -> s',
    ]);
  });

  it('lists two cycles that share a node separately', () => {
    const problems = problemsOf([t('a', ['b', 'c']), t('b', ['a']), t('c', ['a'])]);
    expect(problems).toEqual([
      'cycle (each task needs the next): a -> b -> a',
      'cycle (each task needs the next): a -> c -> a',
    ]);
  });

  it('refuses a run-scoped task that needs a bottle-scoped one', () => {
    const problems = problemsOf([t('prepare'), t('image', ['prepare'], 'run')]);
    expect(problems[0]).toMatch(/run-scoped task "image" needs bottle-scoped task "prepare"/);
  });

  it('refuses bad ids, attempts and timeouts', () => {
    const problems = problemsOf([
      { ...t('Bad Id') },
      { ...t('x'), retry: { attempts: 0 } },
      { ...t('y'), timeoutMs: -5 },
    ]);
    expect(problems).toEqual([
      'task id "Bad Id" is not valid: use lower-case letters, digits and dashes',
      'task "x" has retry.attempts 0; expected a whole number >= 1',
      'task "y" has timeoutMs -5; expected a number > 0',
    ]);
  });

  it('puts the problems in the error message too', () => {
    expect(() => defineGraph([t('a', ['zz'])])).toThrow(/The task graph is invalid \(1 problem\):\n- task "a" needs "zz"/);
  });
});
