/**
 * Forwards one absolute-form HTTP request (`GET http://host:port/path`) to the
 * address admit-target.ts chose, with the target's name in the Host header,
 * streaming both bodies. Both ways it drops hop-by-hop headers and re-frames
 * the body (body-framing.ts); the upstream's reason phrase is not relayed
 * (node writes the standard one). An upstream that cannot be reached, or that
 * answers a status that is not a final one (200-599), gets the client a 502.
 * It does not check the allowlist or write the audit log: it reports what was
 * sent, and the proxy server records it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { pipeline } from 'node:stream';
import type { Decision } from './audit-log.js';
import { forwardedHeaders } from './body-framing.js';
import { sendReply } from './replies.js';
import { relayAnswer } from './relay-answer.js';
import type { HttpTarget } from './target.js';
import { hostHeaderOf } from './target.js';

export interface Outcome {
  /** The status sent to the client; 0 if the client left before one was sent. */
  readonly status: number;
  readonly reason?: string;
  /** When the target was admitted but what followed refused it (an inspected tunnel's TLS server name). */
  readonly decision?: Decision;
  /** A CONNECT whose tunnel is inspected. */
  readonly inspect?: boolean;
}

export const CLIENT_LEFT: Outcome = { status: 0, reason: 'the client closed the connection before a response' };

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: HttpTarget, address: string): Promise<Outcome> {
  // The client may have left while the target was being resolved.
  if (res.destroyed || req.socket.destroyed) return Promise.resolve(CLIENT_LEFT);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };

    const headers = { ...forwardedHeaders(req), host: hostHeaderOf(target) };
    // agent: false: one connection per request, nothing pooled past a shutdown.
    const upstream = request({ host: address, port: target.port, method: req.method, path: target.path, headers, agent: false });

    relayAnswer(
      upstream,
      target,
      {
        started: () => res.headersSent || res.destroyed,
        reply: (reply) => sendReply(res, reply),
        relay: (status, upstreamRes) => {
          res.writeHead(status, forwardedHeaders(upstreamRes));
          // An upstream that breaks off mid-body destroys the client response too.
          pipeline(upstreamRes, res, () => undefined);
        },
        cut: () => res.destroy(),
      },
      settle,
    );

    // Legacy pipe, not pipeline: a failed upstream must not destroy the client
    // socket before the 502 is written on it.
    req.pipe(upstream);
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      settle(CLIENT_LEFT);
    });
  });
}
