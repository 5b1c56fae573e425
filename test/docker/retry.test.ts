/**
 * How one Engine API call is sent again (lib/docker/retry.ts), on a virtual
 * clock: what is retried, how often, for how long, and what is never sent
 * twice. The errors have the shapes dockerode gives (failures.test.ts reads
 * them from real dockerode).
 */
import { describe, expect, it } from 'vitest';
import { CALL_RETRY, withRetries, type RetryOptions } from '../../lib/docker/retry.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const answer = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) - ${message}`), { statusCode, json: { message } });
const busy = () => answer(503, 'connection error: desc = "transport: Error while dialing": unavailable');
const noSuchImage = () => answer(404, 'No such image: bot-bottle/does-not-exist:1');
const hungUp = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const noSocket = () => Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT', syscall: 'connect' });

/** A call that fails with each of `failures` in turn, then answers 'ok'; it counts its sends and when they were. */
function flaky(clock: VirtualClock, failures: (() => Error)[]) {
  const sentAt: number[] = [];
  return {
    sentAt,
    send: async () => {
      sentAt.push(clock.now());
      const next = failures[sentAt.length - 1];
      if (next) throw next();
      return 'ok';
    },
  };
}

function run(clock: VirtualClock, send: () => Promise<string>, options: RetryOptions = {}) {
  return clock.run(withRetries(send, { clock, random: () => 0.5, ...options }));
}

describe('a call that fails', () => {
  it('is sent again while the engine is busy or drops it, with growing delays, and returns the answer', async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, [busy, hungUp, busy]);
    await expect(run(clock, call.send)).resolves.toBe('ok');
    expect(call.sentAt).toEqual([0, 75, 225, 525]);
  });

  it('is not sent again when the answer will not change (no such image)', async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, [noSuchImage, busy]);
    await expect(run(clock, call.send)).rejects.toMatchObject({ statusCode: 404 });
    expect(call.sentAt).toHaveLength(1);
  });

  it('gives up after six sends of a busy engine, within three seconds', async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, Array(10).fill(busy));
    await expect(run(clock, call.send)).rejects.toMatchObject({ statusCode: 503 });
    expect(call.sentAt).toHaveLength(CALL_RETRY.attempts);
    expect(call.sentAt.at(-1)).toBeLessThan(3000);
  });

  it('says a Docker that never answered is down after the same six sends', async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, Array(100).fill(noSocket));
    await expect(run(clock, call.send, { answeredBefore: () => false })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(call.sentAt).toHaveLength(CALL_RETRY.attempts);
  });

  it('waits for an engine that answered before and now refuses (a restart), until it is back', async () => {
    const clock = new VirtualClock();
    // Refused for about 8 s: 6 quick sends, then one a second.
    const call = flaky(clock, Array(12).fill(noSocket));
    await expect(run(clock, call.send, { answeredBefore: () => true })).resolves.toBe('ok');
    expect(call.sentAt).toHaveLength(13);
    expect(call.sentAt.at(-1)).toBeGreaterThan(5000);
  });

  it('stops waiting for a restart after restartWaitMs', async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, Array(1000).fill(noSocket));
    await expect(run(clock, call.send, { answeredBefore: () => true })).rejects.toMatchObject({ code: 'ENOENT' });
    const last = call.sentAt.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(CALL_RETRY.restartWaitMs);
    expect(last).toBeLessThan(CALL_RETRY.restartWaitMs + CALL_RETRY.capMs + 1);
  });
});

describe('a call that must not run twice', () => {
  it("'if-unsent' (an exec start) is sent again only when it never reached the engine", async () => {
    const clock = new VirtualClock();
    const refused = flaky(clock, [noSocket]);
    await expect(run(clock, refused.send, { resend: 'if-unsent' })).resolves.toBe('ok');
    expect(refused.sentAt).toHaveLength(2);
    for (const failure of [hungUp, busy]) {
      const call = flaky(clock, [failure]);
      await expect(run(clock, call.send, { resend: 'if-unsent' })).rejects.toBeInstanceOf(Error);
      expect(call.sentAt).toHaveLength(1);
    }
  });

  it("'no' (a body that is a stream) is never sent again", async () => {
    const clock = new VirtualClock();
    const call = flaky(clock, [noSocket]);
    await expect(run(clock, call.send, { resend: 'no' })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(call.sentAt).toHaveLength(1);
  });
});

describe('the signal', () => {
  it('ends the waiting at once, with what Docker said, and nothing more is sent', async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    clock.at(100, () => stop.abort(new Error('timed out')));
    const call = flaky(clock, Array(10).fill(busy));
    await expect(run(clock, call.send, { signal: stop.signal })).rejects.toMatchObject({ statusCode: 503 });
    expect(call.sentAt).toEqual([0, 75]);
  });

  it('tells each retry, with what failed', async () => {
    const clock = new VirtualClock();
    const told: string[] = [];
    await run(clock, flaky(clock, [busy, hungUp]).send, { onRetry: (r) => told.push(`${r.failure} -> send ${r.attempt} in ${r.delayMs} ms`) });
    expect(told).toEqual(['busy -> send 2 in 75 ms', 'dropped -> send 3 in 150 ms']);
  });
});
