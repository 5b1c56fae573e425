/**
 * Starting and stopping a server as promises: `listen` resolves with the
 * bound address (the real port when asked for port 0) or rejects with an
 * error naming the address; `closeServer` stops accepting and drops the
 * connections still open. It does not create servers.
 */
import type { Server } from 'node:net';

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
}

export class ListenError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'ListenError';
  }
}

export function listen(server: Server, host: string, port: number, what: string): Promise<BoundAddress> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new ListenError(`The ${what} cannot listen on ${host}:${port}: ${error.message}`, error));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve({ host, port: typeof address === 'object' && address !== null ? address.port : port });
    });
  });
}

/** Resolves when the server has stopped; `dropConnections` ends what is still open so it does not wait on them. */
export function closeServer(server: Server, dropConnections: () => void): Promise<void> {
  return new Promise((resolve) => {
    // The callback's error only says the server was not listening: stopped either way.
    server.close(() => resolve());
    dropConnections();
  });
}
