/**
 * The upstream the bench's requests reach, on 127.0.0.1 port 0: node:http2's
 * secure server with `allowHTTP1`, so it answers HTTP/1.1 (node:https's own
 * parser over TLS: what the proxy and the HTTP/1.1 clients speak) and h2 (the
 * HTTP/2 clients, directly and through a blind tunnel) with one certificate.
 * It reads each body whole, answers a short 200, and counts the requests and
 * those that carried the injected credential, so the bench can tell that an
 * inspected request really was rewritten and a tunnelled one was not. It
 * does not check anything itself.
 */
import { createSecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import type { KeyPair } from './pki.js';

export interface Counts {
  readonly served: number;
  /** Requests whose `header` was the credential's value. */
  readonly credentialed: number;
}

export interface Upstream {
  readonly port: number;
  counts(): Counts;
  close(): Promise<void>;
}

const ANSWER = Buffer.from('{"ok":true}\n');

export async function startUpstream(tls: KeyPair, credential: { readonly header: string; readonly value: string }): Promise<Upstream> {
  let served = 0;
  let credentialed = 0;
  const server = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      served += 1;
      if (req.headers[credential.header] === credential.value) credentialed += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': ANSWER.length });
      res.end(ANSWER);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the bench upstream has no address after listen');
  return {
    port: address.port,
    counts: () => ({ served, credentialed }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
