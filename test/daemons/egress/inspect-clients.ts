/**
 * An agent's side of an inspected tunnel: CONNECT through the proxy, then
 * TLS over the tunnel with a server name, trusting only the bottle's CA and
 * offering HTTP/2 and/or HTTP/1.1 by ALPN; then requests over it, with
 * node:http (HTTP/1.1, one request per tunnel) or node:http2 (a session,
 * many streams). Everything is closed when the test ends. They wait on
 * events, never on time.
 */
import { request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { connect as http2Connect } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders as Http2Headers } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { onTestFinished } from 'vitest';
import { sendCollecting, sendConnect } from './proxy-clients.js';

export interface TlsOverTunnel {
  /** The certificate the agent trusts (the bottle's CA). */
  readonly ca: Buffer;
  /** The TLS server name; none is sent when it is undefined. */
  readonly servername: string | undefined;
  /** ALPN protocols offered; `['h2', 'http/1.1']` when left out. */
  readonly alpn?: readonly string[];
}

/** CONNECT `authority`, then TLS over the tunnel: resolves once the handshake is done, rejects if it fails. */
export async function openTlsTunnel(proxyPort: number, authority: string, tls: TlsOverTunnel): Promise<TLSSocket> {
  const tunnel = await sendConnect(proxyPort, authority);
  if (tunnel.status !== 200) {
    tunnel.socket.destroy();
    throw new Error(`the proxy answered the CONNECT with ${tunnel.head}`);
  }
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({
      socket: tunnel.socket,
      ca: tls.ca,
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      ALPNProtocols: [...(tls.alpn ?? ['h2', 'http/1.1'])],
    });
    onTestFinished(() => void secure.destroy());
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

export interface AgentRequest {
  readonly method?: string;
  /** Origin-form path and query. */
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  /** Sent in these pieces, one write each (so HTTP/1.1 chunks it unless a content-length is given). */
  readonly chunks?: ReadonlyArray<string | Buffer>;
}

export interface AgentResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders | Http2Headers;
  readonly body: string;
}

/** One HTTP/1.1 request over `secure`, with `Host: authority`. */
export function http1Request(secure: TLSSocket, authority: string, options: AgentRequest): Promise<AgentResponse> {
  const req = request({
    createConnection: () => secure,
    method: options.method ?? 'GET',
    path: options.path,
    headers: { host: authority, ...options.headers },
  });
  return sendCollecting(req, options.chunks ?? []);
}

/** An HTTP/2 session over `secure` (which must have negotiated h2). */
export function http2Session(secure: TLSSocket, authority: string): ClientHttp2Session {
  const session = http2Connect(`https://${authority}`, { createConnection: () => secure });
  session.on('error', () => undefined);
  onTestFinished(() => void session.destroy());
  return session;
}

/** One request on an HTTP/2 session; `:authority` is the session's unless `headers` gives one. */
export function http2Request(session: ClientHttp2Session, options: AgentRequest): Promise<AgentResponse> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': options.method ?? 'GET', ':path': options.path, ...options.headers });
    let status = 0;
    let headers: Http2Headers = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => {
      headers = received;
      status = Number(received[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
    for (const chunk of options.chunks ?? []) stream.write(chunk);
    stream.end();
  });
}

export type Protocol = 'http/1.1' | 'h2';

/** Opens a tunnel to `authority` speaking `protocol`, sends one request, and returns the response. */
export async function requestThrough(proxyPort: number, authority: string, ca: Buffer, protocol: Protocol, options: AgentRequest): Promise<AgentResponse> {
  const host = authority.replace(/:\d+$/, '');
  const secure = await openTlsTunnel(proxyPort, authority, { ca, servername: host, alpn: [protocol] });
  if (secure.alpnProtocol !== protocol) throw new Error(`the proxy chose ${String(secure.alpnProtocol)}, not ${protocol}`);
  if (protocol === 'http/1.1') return http1Request(secure, authority, options);
  const session = http2Session(secure, authority);
  try {
    return await http2Request(session, options);
  } finally {
    session.close();
  }
}
