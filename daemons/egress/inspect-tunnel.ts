/**
 * An inspected CONNECT: answers `200 Connection Established`, then
 * terminates TLS on the client's socket itself, with the host's leaf
 * certificate (leaf-store.ts), offering HTTP/2 and HTTP/1.1 by ALPN. The TLS
 * server name must be the CONNECT's host: another name, or none, fails the
 * handshake. Each request that comes over it goes to inspect-request.ts,
 * with an agent of the tunnel's own that keeps its upstream connections for
 * the next requests and drops them when the tunnel ends. It resolves once
 * the handshake is done or has failed, with what to audit for the CONNECT.
 * It does not choose the leaf, judge requests or write the audit log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createSecureServer } from 'node:http2';
import { Agent } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Outcome } from './forward.js';
import type { Downstream } from './forward-https.js';
import { normalizeHost } from './host-name.js';
import type { InspectContext } from './inspect-request.js';
import { serveInspected } from './inspect-request.js';
import type { Target } from './target.js';

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

export interface InspectTunnelOptions extends Omit<InspectContext, 'target' | 'upstream'> {
  /** The leaf certificate and key shown to the agent. */
  readonly leaf: SecureContext;
  /** What upstream certificates are verified against (upstream-trust.ts). */
  readonly trust: SecureContext;
}

/** `client` is the socket of the CONNECT request, `head` what the client sent after its request head. */
export function openInspectedTunnel(client: Socket, head: Buffer, target: Target, options: InspectTunnelOptions): Promise<Outcome> {
  if (client.destroyed) return Promise.resolve({ status: 0, reason: 'the client closed the connection before a response' });
  return new Promise((resolve) => {
    const agent = new Agent({ keepAlive: true, scheduling: 'lifo' });
    const context: InspectContext = { ...options, target, upstream: { agent, trust: options.trust } };
    let named: string | undefined;

    const server = createSecureServer(
      {
        allowHTTP1: true,
        SNICallback(servername, callback) {
          named = servername;
          if (normalizeHost(servername) === target.host) callback(null, options.leaf);
          else callback(new Error(`the TLS server name ${servername} is not the CONNECT host ${target.host}`), undefined);
        },
      },
      (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => {
        const downstream = res as Downstream;
        serveInspected(req, downstream, context).catch((error: unknown) => {
          downstream.destroy();
          throw error; // a bug, not a refusal: the bundle reports it and keeps serving
        });
      },
    );
    server.on('secureConnection', () => resolve({ status: 200, inspect: true }));
    server.on('tlsClientError', (error) => {
      const mismatch = named !== undefined && normalizeHost(named) !== target.host;
      const why = named === undefined ? `the client sent no TLS server name; it must name ${target.host}` : error.message;
      resolve({ status: 200, inspect: true, reason: `TLS with the client failed: ${why}`, ...(mismatch ? { decision: 'deny' as const } : {}) });
      client.destroy();
    });
    // A session's error ends that session; nothing else to do.
    server.on('sessionError', () => undefined);
    client.on('close', () => {
      agent.destroy();
      resolve({ status: 200, inspect: true, reason: 'the client left before TLS was set up' });
    });

    // node:http keeps its sockets half-open: without this, a client that leaves
    // before its handshake is not seen, and its tunnel stays until the idle timeout.
    client.allowHalfOpen = false;
    client.write(ESTABLISHED);
    // Bytes that came with the CONNECT are the start of the TLS handshake.
    if (head.length > 0) client.unshift(head);
    server.emit('connection', client);
  });
}
