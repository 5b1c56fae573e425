/**
 * A clock for tests: time moves only when every promise has settled and some
 * code is sleeping, and then jumps straight to the next timer. Tests assert
 * order and concurrency without real sleeps.
 */
import type { Clock } from '../../lib/engine/index.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Schedules `fn` at virtual time `at` (e.g. to cancel a run mid-way). */
  at(at: number, fn: () => void): void {
    this.timers.push({ at, seq: this.seq++, resolve: fn });
  }

  /** Drives time forward until `promise` settles; fails on a deadlock. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      for (let i = 0; i < 3 && !settled; i++) await turn();
      if (settled) return promise;
      if (this.timers.length === 0) {
        for (let i = 0; i < 20 && !settled; i++) await turn();
        if (settled) return promise;
        throw new Error(`deadlock at t=${this.t}: the promise is pending and nothing is sleeping`);
      }
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0]!;
      this.t = Math.max(this.t, next.at);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers = this.timers.filter((x) => x.at > this.t);
      for (const timer of due) timer.resolve();
    }
  }
}
