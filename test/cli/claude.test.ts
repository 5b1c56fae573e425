/** The argv `bottle claude` runs: the prompt file flag exactly when the recorded prompt path is non-null. */
import { describe, expect, it } from 'vitest';
import { claudeCommand } from '../../cli/commands/claude.js';
import type { TaskRecord } from '../../lib/engine/index.js';
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import type { BottlePlan } from '../../lib/plan/types.js';

function bottle(prompt: TaskRecord | undefined): KnownBottle {
  return {
    slug: 'demo-ab12c',
    plan: { agent: 'demo' } as BottlePlan,
    record: { v: 1, item: 'demo-ab12c', tasks: prompt ? { prompt } : {} },
  };
}

const done = (path: string | null, status: TaskRecord['status'] = 'done'): TaskRecord => ({ status, attempts: 1, durationMs: 1, output: { path } });

describe('claudeCommand', () => {
  it('appends the prompt file when the agent has a prompt', () => {
    expect(claudeCommand(bottle(done('/home/node/.claude-bottle-prompt.txt')), ['-p', 'hi'])).toEqual([
      'claude', '--dangerously-skip-permissions', '--append-system-prompt-file', '/home/node/.claude-bottle-prompt.txt', '-p', 'hi',
    ]);
  });

  it('leaves it out when the prompt is empty (path null), also when up to date', () => {
    expect(claudeCommand(bottle(done(null, 'up-to-date')), [])).toEqual(['claude', '--dangerously-skip-permissions']);
  });

  it('refuses a bottle whose prompt task has not succeeded, saying what to run', () => {
    expect(() => claudeCommand(bottle(undefined), [])).toThrow('the bottle of "demo" is not ready (its prompt task is not run); run `bottle up demo`');
    expect(() => claudeCommand(bottle(done(null, 'failed')), [])).toThrow(/its prompt task is failed/);
  });
});
