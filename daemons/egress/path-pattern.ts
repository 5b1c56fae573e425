/**
 * Paths as an inspect rule's `paths` patterns see them, and the match. The
 * path is taken without its query, percent-decoded (so `/v1/%61dmin` is
 * `/v1/admin`), with its `.` and `..` segments resolved (so `/v1/../admin`
 * is `/admin`) and empty segments dropped (so `/v1//admin` is `/v1/admin`,
 * as nginx merges slashes), the way an upstream would read it, so an
 * encoding cannot slip a path past a deny pattern. A pattern is literal but for `*`, which
 * matches any run of characters, `/` included; it matches the whole path.
 * Pure; it does not decide which rules apply (request-rules.ts does).
 */

/** `/v1/a%2Fb/../c?x=1` → `/v1/a/c`: what the patterns are matched against. */
export function comparablePath(requestPath: string): string {
  const path = withoutQuery(requestPath);
  return removeDotSegments(percentDecoded(path));
}

/** The request path without its query string (and fragment), as the audit log records it. */
export function withoutQuery(requestPath: string): string {
  const end = requestPath.search(/[?#]/);
  return end === -1 ? requestPath : requestPath.slice(0, end);
}

export function pathMatches(pattern: string, path: string): boolean {
  const source = pattern.split('*').map(escapeRegExp).join('.*');
  return new RegExp(`^${source}$`, 's').test(path);
}

function percentDecoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    // Not valid UTF-8 once decoded: decode the bytes that are ASCII, keep the rest as written.
    return path.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

/** RFC 3986 5.2.4, on a path that starts with `/`; an empty segment but the last (`/a/`) is dropped too. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '' && !last) return;
    if (segment === '..') out.pop();
    if (segment === '.' || segment === '..') {
      if (last) out.push(''); // `/a/b/..` is `/a/`
      return;
    }
    out.push(segment);
  });
  return `/${out.join('/')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
