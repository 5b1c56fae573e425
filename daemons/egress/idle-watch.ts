/**
 * Cuts connections that stay silent: a socket handed to `watch` is destroyed
 * once no byte has moved on it, either way, for `idleMs`. One timer checks
 * every watched socket a quarter of `idleMs` apart, so a silent socket is cut
 * between `idleMs` and 1.25 x `idleMs`. It reads the socket's own byte
 * counters: it adds no listener that could change how the socket is read, and
 * the timeouts node:http sets on its sockets do not disturb it. Destroying a
 * tunnel's client socket ends the tunnel's other side (tunnel.ts). It does not
 * watch sockets by itself; the proxy server hands it each connection.
 */
/** What the watch uses of a socket; a net.Socket is one. */
export interface Watched {
  readonly bytesRead: number;
  readonly bytesWritten: number;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface IdleWatch {
  watch(socket: Watched): void;
  /** Stops the timer; sockets are left as they are. */
  stop(): void;
}

export interface IdleWatchOptions {
  /** Milliseconds, monotonic; performance.now unless a test passes its own. */
  readonly now?: () => number;
}

export function createIdleWatch(idleMs: number, options: IdleWatchOptions = {}): IdleWatch {
  const now = options.now ?? (() => performance.now());
  const watched = new Map<Watched, { bytes: number; since: number }>();
  let timer: NodeJS.Timeout | undefined;

  const check = (): void => {
    const at = now();
    for (const [socket, seen] of watched) {
      const bytes = socket.bytesRead + socket.bytesWritten;
      if (bytes !== seen.bytes) Object.assign(seen, { bytes, since: at });
      else if (at - seen.since >= idleMs) socket.destroy();
    }
  };
  const stop = (): void => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    watch(socket) {
      watched.set(socket, { bytes: socket.bytesRead + socket.bytesWritten, since: now() });
      socket.once('close', () => {
        watched.delete(socket);
        if (watched.size === 0) stop();
      });
      // The timer runs only while something is watched, and never holds the process open.
      timer ??= setInterval(check, idleMs / 4).unref();
    },
    stop,
  };
}
