/**
 * Clients that talk to the proxy under test on 127.0.0.1: a raw CONNECT that
 * returns the response head and the live socket, raw bytes that return what
 * came back before the proxy closed, and an absolute-form HTTP request
 * through node:http. They wait on socket events, never on time.
 */
import { request } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ConnectResponse {
  readonly status: number;
  /** The status line and headers, as sent. */
  readonly head: string;
  /** The socket after the response head: the tunnel, or the rest of a refusal. */
  readonly socket: Socket;
  /** Bytes that arrived with the head. */
  readonly rest: Buffer;
}

/** Sends `CONNECT authority` (with `early` bytes in the same write) and reads the response head. */
export function sendConnect(proxyPort: number, authority: string, early = '', proxyHost = '127.0.0.1'): Promise<ConnectResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxyHost, port: proxyPort, allowHalfOpen: true });
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      const head = buffered.subarray(0, end).toString();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      resolve({ status, head, socket, rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n${early}`);
  });
}

/** Everything the socket yields until its peer ends it, after `rest`. */
export function readToEnd(socket: Duplex, rest: Buffer = Buffer.alloc(0)): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [rest];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks).toString()));
    socket.once('error', reject);
    socket.resume();
  });
}

/** Sends `request` as it is and resolves with all the proxy sent back, once it has closed the connection. */
export function sendRaw(proxyPort: number, request: string, proxyHost = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: proxyHost, port: proxyPort });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset is one way of closing: what arrived before it is the answer.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(request);
  });
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ProxiedRequest {
  readonly method?: string;
  readonly url: string;
  readonly headers?: OutgoingHttpHeaders;
  /** Written in these chunks, so the body is streamed (chunked) rather than sent whole. */
  readonly chunks?: readonly string[];
}

/** An absolute-form request sent to the proxy, as an HTTP client configured with a proxy sends it. */
export function viaProxy(proxyPort: number, options: ProxiedRequest): Promise<ProxiedResponse> {
  return sendCollecting(
    request({
      host: '127.0.0.1',
      port: proxyPort,
      method: options.method ?? 'GET',
      path: options.url,
      headers: options.headers,
      agent: false,
    }),
    options.chunks ?? [],
  );
}

/** Sends `req` with `chunks` as its body and resolves with the whole response. */
export function sendCollecting(req: ClientRequest, chunks: readonly (string | Buffer)[]): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const body: Buffer[] = [];
      res.on('data', (chunk: Buffer) => body.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(body).toString() }));
    });
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
