/**
 * The gate's own answers, each a status and a one-line plain-text body that
 * says what to do where the client can do something: health, not served
 * (404), body too large (413), git failed (502). It does not decide which
 * applies (gate-server.ts does).
 */
import type { ServerResponse } from 'node:http';
import { servedPaths } from './routes.js';

export interface Reply {
  readonly status: number;
  readonly text: string;
  /** The same fact for the audit log; absent for a plain success. */
  readonly reason?: string;
  readonly contentType?: string;
}

const PREFIX = 'bot-bottle git-gate:';

export const HEALTH_BODY = JSON.stringify({ status: 'ok', daemon: 'git-gate' });

export function healthReply(): Reply {
  return { status: 200, text: HEALTH_BODY, contentType: 'application/json' };
}

export function notServedReply(method: string, url: string, repo: string): Reply {
  const asked = `${method} ${url.length > 200 ? `${url.slice(0, 200)}…` : url}`;
  return {
    status: 404,
    text: `${PREFIX} ${asked} is not served here; this gate serves only ${servedPaths(repo)} (clone http://<gate>/${repo})`,
    reason: 'not served',
  };
}

export function tooLargeReply(maxBytes: number): Reply {
  const reason = `request body over ${maxBytes} bytes`;
  return { status: 413, text: `${PREFIX} ${reason}, this bottle's push limit; push fewer or smaller commits at a time`, reason };
}

export function backendFailedReply(detail: string): Reply {
  const reason = `git http-backend failed: ${detail.replace(/\s+/g, ' ').trim()}`;
  return { status: 502, text: `${PREFIX} ${reason}`, reason };
}

export function sendReply(res: ServerResponse, reply: Reply, method: string): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(reply.text),
    ...(reply.status >= 400 ? { connection: 'close' } : {}),
  });
  res.end(method === 'HEAD' ? undefined : reply.text);
}
