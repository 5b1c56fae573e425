/**
 * How the agent reaches the upstream, one closed set: `direct` (TLS straight
 * to it, the floor), `tunnel` (CONNECT through the proxy to a host with a
 * plain rule, then TLS end to end with the upstream) and `inspect` (CONNECT
 * to a host with an inspect rule, then TLS with the proxy, which shows the
 * bottle's leaf). Each opens one TLS connection offering one ALPN protocol
 * and checks it was chosen. It sends no requests (clients.ts does).
 */
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';

export type RouteName = 'direct' | 'tunnel' | 'inspect';
export const ROUTES: readonly RouteName[] = ['direct', 'tunnel', 'inspect'];

export type Alpn = 'http/1.1' | 'h2';

export interface Route {
  readonly name: RouteName;
  /** `host:port` for the Host header and `:authority`. */
  readonly authority: string;
  readonly servername: string;
  /** The CA the agent trusts on this route. */
  readonly ca: Buffer;
  /** Whether the proxy terminates TLS here (and so injects the credential). */
  readonly inspects: boolean;
  /** A TCP connection on which TLS with `servername` can start. */
  reach(): Promise<Socket>;
}

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A TCP connection to the proxy, CONNECTed to `authority`: the socket after the 200's head. */
async function connectThrough(proxyPort: number, authority: string): Promise<Socket> {
  const socket = await tcp(proxyPort);
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      const head = buffered.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 200 ')) {
        socket.destroy();
        reject(new Error(`the proxy answered CONNECT ${authority} with ${JSON.stringify(head)}, expected 200`));
        return;
      }
      // TLS starts with the client's hello: a byte from the proxy before it is a fault, not data.
      if (end + 4 < buffered.length) {
        socket.destroy();
        reject(new Error(`the proxy sent ${buffered.length - end - 4} bytes after its 200 to CONNECT ${authority}, before the TLS handshake`));
        return;
      }
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}

/** TLS over `route.reach()`, offering `alpn` alone; rejects if the handshake fails or another protocol is chosen. */
export async function openTls(route: Route, alpn: Alpn): Promise<TLSSocket> {
  const raw = await route.reach();
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket: raw, servername: route.servername, ca: route.ca, ALPNProtocols: [alpn] });
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      if (secure.alpnProtocol === alpn) return resolve(secure);
      secure.destroy();
      reject(new Error(`${route.name}: ${String(secure.alpnProtocol)} was chosen by ALPN, expected ${alpn}`));
    });
    secure.once('error', (error) => {
      raw.destroy();
      reject(error);
    });
  });
}

export interface RouteSetup {
  readonly upstreamPort: number;
  readonly proxyPort: number;
  readonly inspected: string;
  readonly tunnelled: string;
  readonly upstreamCa: Buffer;
  readonly agentCa: Buffer;
}

export function benchRoutes(s: RouteSetup): Record<RouteName, Route> {
  const at = (host: string): string => `${host}:${s.upstreamPort}`;
  return {
    direct: { name: 'direct', authority: at(s.tunnelled), servername: s.tunnelled, ca: s.upstreamCa, inspects: false, reach: () => tcp(s.upstreamPort) },
    tunnel: { name: 'tunnel', authority: at(s.tunnelled), servername: s.tunnelled, ca: s.upstreamCa, inspects: false, reach: () => connectThrough(s.proxyPort, at(s.tunnelled)) },
    inspect: { name: 'inspect', authority: at(s.inspected), servername: s.inspected, ca: s.agentCa, inspects: true, reach: () => connectThrough(s.proxyPort, at(s.inspected)) },
  };
}
