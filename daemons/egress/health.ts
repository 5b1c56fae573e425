/**
 * The health answer, shared by the proxy port and the TLS health port:
 * `GET /health` → 200 `{"status":"ok","daemon":"egress"}`. Anything else
 * asked of the daemon itself (not proxied) is a 404 naming what is served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const HEALTH_BODY = JSON.stringify({ status: 'ok', daemon: 'egress' });

/** Answers a request addressed to the daemon itself (origin-form). */
export function answerOwnRequest(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(HEALTH_BODY) });
    res.end(req.method === 'HEAD' ? undefined : HEALTH_BODY);
    return;
  }
  const text = `bot-bottle egress: ${req.method ?? ''} ${req.url ?? ''} is not served here; GET /health is, and proxied requests must use CONNECT or an absolute http:// URL`;
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
