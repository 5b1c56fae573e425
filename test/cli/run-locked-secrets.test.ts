/**
 * A run's secret values (env secrets, credentials) are kept out of what it
 * writes: a task that prints one, returns one and fails naming one leaves
 * `[secret]` in its log, record and events, and the value nowhere in the
 * state directory.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineGraph, TaskError, type EngineEvent } from '../../lib/engine/index.js';
import { oncePerRun, bottleTask, type RunEnv } from '../../tasks/context.js';
import { runLocked } from '../../cli/run-locked.js';
import type { Session } from '../../cli/session.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { defaultLimits } from '../../lib/limits/names.js';
import { tempDir } from '../state/temp-dir.js';
import { sameOnEveryEngine } from '../../lib/backends/registry.js';

const SECRET = 'tok-7f3c9a1e55d2b8';

const leaky = bottleTask({
  id: 'leaky',
  title: 'Leaky',
  summary: 'prints, returns and fails with the secret',
  needs: [],
  resources: [],
  retry: { attempts: 2, baseMs: 1 },
  fingerprint: () => 'x',
  run: async (ctx, io): Promise<{ token: string }> => {
    io.log(`the token is ${ctx.guestEnv['API_TOKEN']}`);
    if (io.attempt === 1) throw new TaskError(`upstream refused ${ctx.guestEnv['API_TOKEN']}`, { code: 'X', transient: true });
    return { token: ctx.guestEnv['API_TOKEN']! };
  },
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

describe('a run with secrets', () => {
  it('writes [secret] where a task prints, returns or fails with one, and the value nowhere', async () => {
    const root = await tempDir();
    const plan = { slug: 'demo-ab12c', stateDir: join(root, 'demo-ab12c') } as BottlePlan;
    const runEnv: RunEnv = { stateRoot: root, images: undefined as never, backend: sameOnEveryEngine(() => undefined as never), once: oncePerRun() };
    const session: Session = {
      manifestPath: join(root, 'bottle.yaml'),
      limits: defaultLimits(),
      stateRoot: root,
      runEnv,
      planned: [{ plan, prompt: '', guestEnv: { API_TOKEN: SECRET }, secrets: [SECRET] }],
    };
    const events: EngineEvent[] = [];
    const result = await runLocked(session, defineGraph([leaky]), {
      record: true,
      limits: { concurrency: 2, resources: {} },
      locking: { command: 'bottle test', wait: false, onWait: () => undefined },
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe('ok');
    const written = JSON.stringify(events);
    expect(written).toContain('the token is [secret]');
    expect(written).toContain('upstream refused [secret]');
    expect(written).not.toContain(SECRET);
    const record = JSON.parse(await readFile(join(plan.stateDir, 'record.json'), 'utf8'));
    expect(record.tasks.leaky.output).toEqual({ token: '[secret]' });
    for (const file of await filesUnder(root)) expect(await readFile(file, 'utf8'), file).not.toContain(SECRET);
    expect(await readFile(join(plan.stateDir, 'logs', 'leaky.log'), 'utf8')).toContain('the token is [secret]');
  });
});
