/**
 * Waits, turn by turn of the event loop (no timer), until a server counts
 * exactly `count` open connections: the way a test knows the proxy has seen
 * a client leave, which happens on the proxy's side after the client's own
 * socket has closed.
 */
import type { Server } from 'node:net';

export async function untilConnections(server: Server, count: number): Promise<void> {
  const open = (): Promise<number> =>
    new Promise((resolve, reject) => server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
  while ((await open()) !== count) await new Promise((resolve) => setImmediate(resolve));
}
