/**
 * Sends one inspected request upstream over HTTPS (HTTP/1.1) and streams the
 * answer back to the agent, on HTTP/1.1 or HTTP/2 alike. The connection goes
 * to the address admit-target.ts chose, with the target's name as the TLS
 * server name, verified in full against upstream-trust.ts's roots
 * (rejectUnauthorized, the name checked): node writes nothing of the request
 * before that, so an upstream that fails it sees no request, and the agent
 * gets a 502 saying why. The response is relayed as it comes, chunk by chunk
 * (server-sent events flow), with hop-by-hop headers dropped. The request
 * arrives whole (request-body.ts), its headers already decided by the
 * caller. It does not judge or audit; it reports what was sent.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Agent, RequestOptions } from 'node:https';
import { request } from 'node:https';
import type { Writable } from 'node:stream';
import type { ConnectionOptions, SecureContext } from 'node:tls';
import { forwardedHeaders } from './body-framing.js';
import type { Outcome } from './forward.js';
import { CLIENT_LEFT } from './forward.js';
import type { ReplyResponse } from './replies.js';
import { replyOn } from './replies.js';
import { relayAnswer } from './relay-answer.js';
import type { Target } from './target.js';

export interface UpstreamRequest {
  readonly target: Target;
  /** The IP literal to connect to. */
  readonly address: string;
  readonly method: string;
  /** Origin-form path and query. */
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

export interface UpstreamOptions {
  /** The tunnel's own agent: its connections are kept for its next requests, and end with it. */
  readonly agent: Agent;
  readonly trust: SecureContext;
}

/** What is used of the agent's response; node:http's and node:http2's compatibility response are both one. */
export type Downstream = Writable & ReplyResponse & { readonly headersSent: boolean };

/** HTTP/2 forbids these in a response; HTTP/1.1 upstreams may send them. */
const NOT_FOR_HTTP2 = ['http2-settings'];

export function forwardHttps(outgoing: UpstreamRequest, res: Downstream, options: UpstreamOptions): Promise<Outcome> {
  const { target } = outgoing;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };

    // node:tls takes a ready secureContext; the https types leave it out of request options.
    const tlsOptions: RequestOptions & Pick<ConnectionOptions, 'secureContext'> = {
      host: outgoing.address,
      port: target.port,
      servername: target.host,
      secureContext: options.trust,
      rejectUnauthorized: true,
      method: outgoing.method,
      path: outgoing.path,
      headers: outgoing.headers,
      agent: options.agent,
    };
    const upstream = request(tlsOptions);

    relayAnswer(
      upstream,
      target,
      {
        started: () => res.headersSent,
        reply: (reply) => replyOn(res, reply, false),
        relay: (status, upstreamRes) => {
          const headers = forwardedHeaders(upstreamRes);
          for (const name of NOT_FOR_HTTP2) delete headers[name];
          res.writeHead(status, headers);
          // Legacy pipe: each chunk is written as it arrives; an upstream that
          // breaks off mid-body cuts the agent's response, so it is not taken as whole.
          upstreamRes.pipe(res);
          upstreamRes.on('error', () => res.destroy());
          upstreamRes.on('aborted', () => res.destroy());
        },
        cut: () => res.destroy(),
      },
      settle,
    );
    res.on('close', () => {
      upstream.destroy();
      settle(CLIENT_LEFT);
    });
    upstream.end(outgoing.body);
  });
}
