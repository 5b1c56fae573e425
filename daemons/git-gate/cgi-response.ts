/**
 * Reads the head of a CGI response (what `git http-backend` writes before
 * the body): header lines up to a blank line, `Status: 404 Not Found` giving
 * the HTTP status (200 when absent). Headers that belong to the connection,
 * not the content, are dropped; node frames the body itself. It does not
 * send anything.
 */

export interface CgiHead {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
}

/** The most a head may take; http-backend's are a few hundred bytes. */
export const MAX_HEAD_BYTES = 64 * 1024;

const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Splits what has come so far into the head and the start of the body;
 * undefined while the blank line has not come. Throws on a malformed head.
 */
export function splitCgiHead(received: Buffer): { readonly head: CgiHead; readonly body: Buffer } | undefined {
  const crlf = received.indexOf('\r\n\r\n');
  const lf = received.indexOf('\n\n');
  const [end, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : lf !== -1 ? [lf, 2] : [-1, 0];
  if (end === -1) {
    if (received.length > MAX_HEAD_BYTES) throw new Error(`its response head is over ${MAX_HEAD_BYTES} bytes`);
    return undefined;
  }
  const lines = received.subarray(0, end).toString('latin1').split(/\r?\n/);
  let status = 200;
  const headers: (readonly [string, string])[] = [];
  for (const line of lines) {
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!match) throw new Error(`its response has a malformed header line ${JSON.stringify(line.slice(0, 100))}`);
    const [, name = '', value = ''] = match;
    const lower = name.toLowerCase();
    if (lower === 'status') {
      status = statusOf(value);
    } else if (!CONNECTION_HEADERS.has(lower)) {
      headers.push([name, value]);
    }
  }
  return { head: { status, headers }, body: received.subarray(end + gap) };
}

function statusOf(value: string): number {
  const code = Number(/^(\d{3})(?:\s|$)/.exec(value)?.[1]);
  if (!(code >= 200 && code <= 599)) throw new Error(`its response has an invalid Status ${JSON.stringify(value)}`);
  return code;
}
