/**
 * The TLS health server: HTTPS with the bottle's certificate, answering
 * `GET /health` like the proxy port. A client in the agent calls it to prove
 * it trusts the bottle's CA. It proxies nothing and reads no config: main.ts
 * loads the PEM files with `loadTlsFiles` and passes their contents.
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { TlsConfig } from './config.js';
import { answerOwnRequest } from './health.js';
import type { BoundAddress } from '../common/listen.js';
import { closeServer, listen } from '../common/listen.js';

export interface TlsFiles {
  /** PEM: the server certificate, optionally followed by its chain. */
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TlsHealthServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<BoundAddress>;
  close(): Promise<void>;
}

export class TlsFilesError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'TlsFilesError';
  }
}

/** Reads `tls.cert` and `tls.key`; an error names the field and the path. */
export async function loadTlsFiles(tls: Pick<TlsConfig, 'cert' | 'key'>): Promise<TlsFiles> {
  const read = async (field: 'cert' | 'key'): Promise<Buffer> => {
    try {
      return await readFile(tls[field]);
    } catch (error) {
      throw new TlsFilesError(`Cannot read tls.${field} ${tls[field]}: ${(error as Error).message}`, error);
    }
  };
  return { cert: await read('cert'), key: await read('key') };
}

/** Throws a TlsFilesError if the certificate and key are not valid PEM or do not match. */
export function createTlsHealthServer(files: TlsFiles): TlsHealthServer {
  let server: Server;
  try {
    server = createServer({ cert: files.cert, key: files.key }, answerOwnRequest);
  } catch (error) {
    const why = (error as Error).message;
    throw new TlsFilesError(`The TLS certificate and key cannot be used (${why}); check tls.cert and tls.key.`, error);
  }
  return {
    server,
    listen: (host, port) => listen(server, host, port, 'TLS health server'),
    close: () => closeServer(server, () => server.closeAllConnections()),
  };
}
