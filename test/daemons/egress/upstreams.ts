/**
 * Real upstream servers for the proxy tests, all on 127.0.0.1 port 0 and
 * closed when the test ends: a TCP echo server that counts its connections,
 * an HTTP server and an HTTPS one that record what reached them, and a port
 * known to be closed.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface EchoServer {
  readonly port: number;
  /** How many connections it has accepted. */
  readonly connections: () => number;
}

async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return address.port;
}

function closeAtEnd(server: Server, sockets: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  );
}

/** Echoes bytes back; ends its side when the client ends its own. `onConnection` may replace the echo. */
export async function startEchoServer(onConnection?: (socket: Socket) => void): Promise<EchoServer> {
  let count = 0;
  const server = createTcpServer({ allowHalfOpen: true }, (socket) => {
    count += 1;
    socket.on('error', () => undefined);
    if (onConnection) onConnection(socket);
    else socket.pipe(socket);
  });
  closeAtEnd(server, new Set());
  return { port: await listenLocal(server), connections: () => count };
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpUpstream {
  readonly port: number;
  readonly seen: SeenRequest[];
}

type Respond = (req: SeenRequest, res: ServerResponse) => void;

/** A request handler that records each request (with its whole body) in `seen`, then lets `respond` answer it. */
function recording(seen: SeenRequest[], respond: Respond): RequestListener {
  return (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(request);
      respond(request, res);
    });
  };
}

/** Records each request (with its whole body), then lets `respond` answer it. */
export async function startHttpUpstream(respond: Respond): Promise<HttpUpstream> {
  const seen: SeenRequest[] = [];
  const server = createHttpServer(recording(seen, respond));
  closeAtEnd(server, new Set());
  return { port: await listenLocal(server), seen };
}

/** The same over HTTPS (HTTP/1.1), showing `cert` with `key`. */
export async function startHttpsUpstream(tls: { readonly cert: Buffer; readonly key: Buffer }, respond: Respond): Promise<HttpUpstream> {
  const seen: SeenRequest[] = [];
  const server = createHttpsServer({ cert: tls.cert, key: tls.key }, recording(seen, respond));
  closeAtEnd(server, new Set());
  return { port: await listenLocal(server), seen };
}

/** A port on 127.0.0.1 that was just free and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listenLocal(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
