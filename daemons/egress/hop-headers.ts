/**
 * Header filtering for forwarded HTTP: keeps the end-to-end headers of a
 * message and drops the hop-by-hop ones (RFC 9110 7.6.1): the fixed list,
 * every `proxy-*` header (so a Proxy-Authorization meant for this proxy
 * never reaches the origin), and any header the Connection header names.
 * It does not add headers (Host, Via) or look at bodies.
 */
import type { OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** End-to-end headers of `rawHeaders` (as IncomingMessage.rawHeaders), lower-cased; repeated ones become arrays. */
export function endToEndHeaders(rawHeaders: readonly string[]): OutgoingHttpHeaders {
  const named = connectionTokens(rawHeaders);
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-') || named.has(name)) continue;
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return headers;
}

/** Header names listed in the message's Connection headers. */
function connectionTokens(rawHeaders: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (const value of headerValues(rawHeaders, 'connection')) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) tokens.add(name);
    }
  }
  return tokens;
}

/** Every value of the header `name` (lower case) in `rawHeaders`, in order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] ?? '').toLowerCase() === name) values.push(rawHeaders[i + 1] ?? '');
  }
  return values;
}
