/**
 * Relays what an upstream answers to the client's response, for both ways
 * the proxy forwards a request (forward.ts, plain http; forward-https.ts, an
 * inspected request): a status that cannot be relayed as a final answer
 * (not 200-599) becomes the proxy's own 502, an upstream that cannot be
 * reached before anything was sent becomes a 502 saying why, and one that
 * breaks off after the head cuts the client's response, so the client never
 * takes a truncated body for a whole one. `settle` is told once what was
 * sent. How a reply is written, which headers go on and how the body is
 * piped are the caller's.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Reply } from './replies.js';
import { invalidStatusReply, unreachableReply } from './replies.js';
import type { Target } from './target.js';

export interface AnswerSide {
  /** Whether the client's response has begun (or is gone): an error then cuts it. */
  readonly started: () => boolean;
  /** Writes the proxy's own reply instead of the upstream's. */
  readonly reply: (reply: Reply) => void;
  /** Writes the upstream's status and these headers, then its body. */
  readonly relay: (status: number, upstreamRes: IncomingMessage) => void;
  readonly cut: () => void;
}

/** What was sent: the status (the proxy's own 502 or the upstream's), and why when the proxy answered. */
export type Sent = (outcome: { readonly status: number; readonly reason?: string }) => void;

export function relayAnswer(upstream: ClientRequest, target: Target, side: AnswerSide, settle: Sent): void {
  let answeredByProxy = false;
  const answer = (reply: Reply): void => {
    answeredByProxy = true;
    upstream.destroy();
    side.reply(reply);
    settle({ status: reply.status, reason: reply.reason });
  };
  upstream.on('response', (upstreamRes) => {
    const status = upstreamRes.statusCode ?? 0;
    if (status < 200 || status > 599) return answer(invalidStatusReply(target, status));
    side.relay(status, upstreamRes);
    settle({ status });
  });
  upstream.on('error', (error) => {
    if (answeredByProxy) return;
    if (side.started()) return side.cut();
    answer(unreachableReply(target, error));
  });
}

