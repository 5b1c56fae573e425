/**
 * Forwards one absolute-form HTTP request (`GET http://host:port/path`) to its
 * origin with node:http, streaming both bodies and dropping hop-by-hop
 * headers both ways. An upstream that cannot be reached gets the client a
 * 502. It does not check the allowlist or write the audit log: it reports
 * what was sent, and the proxy server records it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { pipeline } from 'node:stream';
import { endToEndHeaders } from './hop-headers.js';
import { sendReply, unreachableReply } from './replies.js';
import type { HttpTarget } from './target.js';
import { hostHeaderOf } from './target.js';

export interface Outcome {
  /** The status sent to the client; 0 if the client left before one was sent. */
  readonly status: number;
  readonly reason?: string;
}

export function forwardHttp(req: IncomingMessage, res: ServerResponse, target: HttpTarget): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };

    const headers = endToEndHeaders(req.rawHeaders);
    headers['host'] = hostHeaderOf(target);
    // agent: false: one connection per request, nothing pooled past a shutdown.
    const upstream = request({ host: target.host, port: target.port, method: req.method, path: target.path, headers, agent: false });

    upstream.on('response', (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 502;
      res.writeHead(status, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.rawHeaders));
      settle({ status });
      // An upstream that breaks off mid-body destroys the client response too,
      // so the client sees a truncated message rather than a complete one.
      pipeline(upstreamRes, res, () => undefined);
    });
    upstream.on('error', (error) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const reply = unreachableReply(target, error);
      sendReply(res, reply);
      settle({ status: reply.status, reason: reply.reason });
    });

    // Legacy pipe, not pipeline: a failed upstream must not destroy the client
    // socket before the 502 is written on it.
    req.pipe(upstream);
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
      settle({ status: 0, reason: 'the client closed the connection before a response' });
    });
  });
}
