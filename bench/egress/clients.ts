/**
 * The agent's HTTP over one TLS connection that routes.ts opened: HTTP/1.1
 * through node:http with a keep-alive agent whose one socket is that
 * connection (so requests follow each other on it, as a real client's do),
 * or an HTTP/2 session through node:http2. A request resolves once the whole
 * answer is read and rejects on any status but 200. Neither reconnects: a
 * connection that closes between requests fails the next one. They do not
 * time anything.
 */
import { Agent, request } from 'node:http';
import type { ClientRequestArgs } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';

export interface BenchRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: Buffer;
}

export interface Connection {
  send(req: BenchRequest): Promise<void>;
  close(): void;
}

/** A keep-alive agent with one socket, the given one; it never opens another. */
class OneSocketAgent extends Agent {
  #socket: Duplex | undefined;

  constructor(socket: Duplex) {
    super({ keepAlive: true, maxSockets: 1 });
    this.#socket = socket;
  }

  override createConnection(_options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) return socket;
    callback?.(new Error('the connection closed between requests: keep-alive broke'), undefined as unknown as Duplex);
    return undefined;
  }
}

export function http1Connection(secure: TLSSocket, authority: string): Connection {
  const agent = new OneSocketAgent(secure);
  return {
    send: (req) =>
      new Promise((resolve, reject) => {
        const headers = { host: authority, ...(req.body ? { 'content-type': 'application/octet-stream', 'content-length': req.body.length } : {}) };
        const outgoing = request({ agent, method: req.method, path: req.path, headers });
        outgoing.on('error', reject);
        outgoing.on('response', (res) => {
          res.on('error', reject);
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP/1.1 ${req.method} ${req.path}: status ${res.statusCode}, expected 200`))));
          res.resume();
        });
        outgoing.end(req.body);
      }),
    close: () => {
      agent.destroy();
      secure.destroy();
    },
  };
}

export function http2Connection(secure: TLSSocket, authority: string): Connection {
  const session = http2Connect(`https://${authority}`, { createConnection: () => secure });
  session.on('error', () => undefined);
  return {
    send: (req) =>
      new Promise((resolve, reject) => {
        const headers = { ':method': req.method, ':path': req.path, ...(req.body ? { 'content-type': 'application/octet-stream', 'content-length': req.body.length } : {}) };
        const stream = session.request(headers);
        let status = 0;
        stream.on('response', (received) => void (status = Number(received[':status'])));
        stream.on('error', reject);
        stream.on('end', () => (status === 200 ? resolve() : reject(new Error(`HTTP/2 ${req.method} ${req.path}: status ${status}, expected 200`))));
        stream.resume();
        stream.end(req.body);
      }),
    close: () => {
      session.destroy();
      secure.destroy();
    },
  };
}
