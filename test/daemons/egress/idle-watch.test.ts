/** The idle watch on vitest's fake timers, with stand-in sockets whose byte counters the test moves. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdleWatch } from '../../../daemons/egress/idle-watch.js';

class FakeSocket extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 0;
  destroyed = false;

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('createIdleWatch', () => {
  it('cuts a silent socket after idleMs, within a quarter more, and not before', () => {
    const watch = createIdleWatch(1000, { now: () => Date.now() });
    const socket = new FakeSocket();
    watch.watch(socket);
    vi.advanceTimersByTime(999);
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(250);
    expect(socket.destroyed).toBe(true);
  });

  it('keeps a socket open while bytes move either way, then cuts it once they stop', () => {
    const watch = createIdleWatch(1000, { now: () => Date.now() });
    const socket = new FakeSocket();
    watch.watch(socket);
    for (let step = 0; step < 20; step++) {
      if (step % 2 === 0) socket.bytesRead += 1;
      else socket.bytesWritten += 1;
      vi.advanceTimersByTime(500);
    }
    expect(socket.destroyed).toBe(false);
    vi.advanceTimersByTime(1250);
    expect(socket.destroyed).toBe(true);
  });

  it('watches each socket on its own, and runs no timer once none is left', () => {
    const watch = createIdleWatch(1000, { now: () => Date.now() });
    const [quiet, busy] = [new FakeSocket(), new FakeSocket()];
    watch.watch(quiet);
    watch.watch(busy);
    for (let step = 0; step < 6; step++) {
      busy.bytesRead += 1;
      vi.advanceTimersByTime(250);
    }
    expect(quiet.destroyed).toBe(true);
    expect(busy.destroyed).toBe(false);
    busy.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops on stop(), leaving sockets as they are', () => {
    const watch = createIdleWatch(1000, { now: () => Date.now() });
    const socket = new FakeSocket();
    watch.watch(socket);
    watch.stop();
    vi.advanceTimersByTime(5000);
    expect(socket.destroyed).toBe(false);
  });
});
