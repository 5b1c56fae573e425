/**
 * The host half of `bottle port`: a TCP listener on 127.0.0.1 only (never
 * another address), where each connection gets a relay of its own in the
 * guest (relay.ts, started by `openRelay`, the backend's streamed exec) and
 * its bytes go both ways through it. The agent's network is not touched:
 * nothing in the guest listens, and nothing in it can reach the host.
 * Half-closes pass through (the client's end ends the relay's stdin, the
 * relay's end ends the client's connection); after the client's end, a
 * guest that sends nothing for a while (`halfClosedIdleMs`) has the
 * connection closed and its relay stopped, so a client gone never leaves a
 * relay waiting on a server that keeps its side open. When the signal
 * aborts it closes the listener and every connection, stops every relay in
 * the guest (not only the host's end of it), and only then resolves. It
 * prints nothing: it tells `onListening` and `onProblem`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { GuestProcess } from '../backends/types.js';

export interface ForwardOptions {
  /** Starts one relay to the guest's port. */
  openRelay(): Promise<GuestProcess>;
  /** The host port; 0: a free one, which `onListening` says. */
  hostPort: number;
  signal: AbortSignal;
  onListening(port: number): void;
  /** A connection that could not be carried, and why. */
  onProblem(message: string): void;
  /** After the client's end, how long the guest may send nothing before the connection and its relay are closed (default 5 s). */
  halfClosedIdleMs?: number;
}

const HALF_CLOSED_IDLE_MS = 5_000;

export class ForwardError extends Error {
  readonly code: 'PORT_TAKEN' | 'LISTEN_FAILED';
  constructor(message: string, code: ForwardError['code'], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ForwardError';
    this.code = code;
  }
}

/** The only address listened on. */
export const LOOPBACK = '127.0.0.1';

export async function forwardPort(options: ForwardOptions): Promise<void> {
  const { signal } = options;
  const carrying = new Set<Promise<void>>();
  /** Each open connection's way to close itself (one abort listener for all, however many there are). */
  const closers = new Set<() => void>();
  let stopping = false;
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    if (stopping) return void socket.destroy();
    const close = () => socket.destroy();
    closers.add(close);
    const carried = carry(socket, options, () => stopping)
      .finally(() => {
        closers.delete(close);
        carrying.delete(carried);
      });
    carrying.add(carried);
  });
  const port = await listen(server, options.hostPort);
  try {
    if (!signal.aborted) {
      options.onListening(port);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } finally {
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const close of closers) close();
    // Each connection, closed, stops its relay in the guest before it settles.
    await Promise.allSettled([...carrying]);
    await closed;
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new ForwardError(`${LOOPBACK}:${port} is taken on this host; pick another --host-port, or leave it out for a free one`, 'PORT_TAKEN', error));
      else reject(new ForwardError(`cannot listen on ${LOOPBACK}:${port}: ${error.message}`, 'LISTEN_FAILED', error));
    });
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** One connection, from its relay's start to both ends closed; never throws. `stopping`: the forwarding is ending. */
async function carry(socket: Socket, options: ForwardOptions, stopping: () => boolean): Promise<void> {
  // A client that resets its connection only ends the carrying.
  socket.on('error', () => undefined);
  const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let relay: GuestProcess;
  try {
    relay = await options.openRelay();
  } catch (error) {
    if (!stopping()) options.onProblem(`a connection could not be carried: ${(error as Error).message}`);
    socket.destroy();
    return;
  }
  if (socket.destroyed) {
    await relay.stop();
    return;
  }
  socket.pipe(relay.stdin as NodeJS.WritableStream);
  relay.stdout.pipe(socket);
  socket.resume();
  // A client's end may be a half-close (an answer still to come) or the client gone: the guest gets a while to answer, as long as it sends.
  let idle: NodeJS.Timeout | undefined;
  const idleAfterEnd = () => {
    clearTimeout(idle);
    idle = setTimeout(() => socket.destroy(), options.halfClosedIdleMs ?? HALF_CLOSED_IDLE_MS);
  };
  socket.once('end', () => {
    idleAfterEnd();
    relay.stdout.on('data', idleAfterEnd);
  });
  await socketClosed;
  clearTimeout(idle);
  // Closed by the client while the relay runs, or by us: the relay is stopped in the guest, not left waiting there.
  await relay.stop();
  const { stderr } = await relay.ended;
  if (!stopping() && stderr.trim()) options.onProblem(stderr.trim());
}
