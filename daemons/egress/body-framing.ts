/**
 * How a forwarded message's body is framed. The client's framing headers are
 * never passed on as received: a request is refused when they disagree
 * (Content-Length values that differ, Content-Length with Transfer-Encoding,
 * a Transfer-Encoding other than `chunked`), which is how one message is
 * smuggled inside another. Otherwise the forwarded message carries the one
 * Content-Length node's parser read, or none, and node chunks a body that
 * came chunked. node's own parser already refuses most such requests with a
 * 400; this is the same rule, kept here so it does not depend on the node
 * version. It does not drop hop-by-hop headers (hop-headers.ts does).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { endToEndHeaders, headerValues } from './hop-headers.js';

/** Why the request's framing cannot be forwarded, or undefined when it can. */
export function framingProblem(rawHeaders: readonly string[]): string | undefined {
  const lengths = new Set(headerValues(rawHeaders, 'content-length').map((value) => value.trim()));
  const codings = headerValues(rawHeaders, 'transfer-encoding')
    .flatMap((value) => value.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  if (lengths.size > 1) return `conflicting Content-Length headers (${[...lengths].join(', ')})`;
  if (lengths.size > 0 && codings.length > 0) return 'both Content-Length and Transfer-Encoding';
  if (codings.length > 0 && codings.join(',') !== 'chunked') {
    return `Transfer-Encoding ${JSON.stringify(codings.join(', '))}; only chunked is forwarded`;
  }
  return undefined;
}

/** The end-to-end headers to forward; the Content-Length is the single one node parsed, if any. */
export function forwardedHeaders(message: IncomingMessage): OutgoingHttpHeaders {
  const headers = endToEndHeaders(message.rawHeaders);
  const length = message.headers['content-length'];
  return length === undefined ? headers : { ...headers, 'content-length': length };
}
