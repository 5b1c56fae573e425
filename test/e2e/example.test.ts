/**
 * The README's main job: `bottle up -f examples/bottle.yaml` brings its two
 * agents up on a real dockerd. The example allowlists public hosts; up itself
 * must send nothing there (the audit log shows every connection the proxy let
 * through).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bottle, endStatuses, peakRunning, REPO } from '../helpers/cli.js';

const manifest = join(REPO, 'examples', 'bottle.yaml');
let state: string;
const env = () => ({ ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: state });

afterAll(async () => {
  await bottle(['down', '-f', manifest, '--purge'], env());
  await rm(state, { recursive: true, force: true });
}, 120_000);

describe('the example manifest', () => {
  it('brings both agents up, and nothing left the bottles while it did', async () => {
    state = await mkdtemp(join(tmpdir(), 'bottle-example-'));
    // The machine backend's calls held to one at a time: the example still comes up, and no two overlap.
    const up = await bottle(['up', '-f', manifest, '--progress', 'json', '--limit', 'backend=1'], env());
    const failures = up.events.filter((e) => e.type === 'node-end' && e.status === 'failed');
    expect(up.exitCode, JSON.stringify(failures, null, 2) + up.stderr).toBe(0);
    const bottles: string[] = up.events[0]!.bottles.filter((b: string) => b !== '_run');
    const backendTasks = new Set(['network', 'daemons', 'start-vm', 'prompt', 'skills', 'ca', 'git', 'ready']);
    expect(peakRunning(up.events, backendTasks)).toBe(1);
    expect(bottles.map((b) => b.replace(/-[0-9a-f]{5}$/, '')).sort()).toEqual(['builder', 'reviewer']);
    for (const slug of bottles) {
      expect(endStatuses(up.events).get(`${slug}/ready`)).toBe('done');
      const audit = (await readFile(join(state, slug, 'egress', 'egress.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
      expect(audit.filter((a) => a.decision === 'allow' && a.host !== 'ca-probe.bottle.internal')).toEqual([]);
    }
  }, 900_000);
});
