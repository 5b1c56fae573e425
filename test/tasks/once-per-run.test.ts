/** `RunEnv.once`: work shared by the bottles of a run, done once, and done again by a retry when it failed. */
import { describe, expect, it } from 'vitest';
import { oncePerRun } from '../../tasks/context.js';

describe('oncePerRun', () => {
  it('runs the work once for every asker of a key', async () => {
    const once = oncePerRun();
    let runs = 0;
    const work = async () => ++runs;
    expect(await Promise.all([once('k', work), once('k', work), once('other', work)])).toEqual([1, 1, 2]);
    expect(await once('k', work)).toBe(1);
  });

  it('runs it again for the next asker when it failed (a retry is not handed the old failure)', async () => {
    const once = oncePerRun();
    let runs = 0;
    const work = async () => {
      runs++;
      if (runs === 1) throw new Error('the engine dropped the exec');
      return 'connected';
    };
    const first = [once('k', work), once('k', work)];
    for (const asked of first) await expect(asked).rejects.toThrow('the engine dropped the exec');
    expect(await once('k', work)).toBe('connected');
    expect(await once('k', work)).toBe('connected');
    expect(runs).toBe(2);
  });
});
