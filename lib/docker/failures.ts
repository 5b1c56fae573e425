/**
 * What a failed Engine API call means, read from what dockerode gives: an
 * answer (`statusCode` and Docker's `message`) or a socket error (`code`).
 * It decides whether sending the call again can help; it retries nothing
 * (retry.ts does) and words no message (client.ts does).
 *
 * - `unreachable`: no connection was made (refused, no socket file): the
 *   request never left, so even a call that must not run twice may be sent
 *   again. The engine is stopped, or restarting.
 * - `dropped`: the connection broke before the whole answer came (reset,
 *   hang up, broken pipe, a stream cut short): the engine may have done the
 *   call or not. What dockerd's clients see while it restarts or is
 *   overloaded.
 * - `busy`: the engine answered that it could not do it now. 503 (containerd
 *   unavailable), 502 and 504 (a proxy in front), 500 (Docker's answer for
 *   every error it does not classify: a containerd call that timed out, a
 *   device busy, but also a few that will not pass, which a bounded retry
 *   costs a second or two), and the 409s that name a state that passes (a
 *   removal already in progress, a container restarting).
 * - `cancelled`: our own signal aborted the call.
 * - `permanent`: every other answer (404 no such image or container, 400 a
 *   bad request, 409 a name someone holds, 403): the same call gets the same
 *   answer.
 */

export type Failure = 'unreachable' | 'dropped' | 'busy' | 'cancelled' | 'permanent';

interface ApiFailure {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | string | null;
  reason?: string;
  message?: string;
  name?: string;
  syscall?: string;
  cause?: unknown;
}

/** No connection was made. ENOENT: a unix socket with no file (dockerd removes it when it stops). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** A connection that broke mid-call. */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);
const BUSY_STATUS = new Set([500, 502, 503, 504]);
/** dockerd's 409s for a state that passes (moby daemon/delete.go, daemon/errors.go). */
const PASSING_CONFLICT = /is already in progress|is restarting, wait until the container is running/i;

/** The HTTP status of a failed call (through a TaskError's cause), or undefined when it got no answer. */
export function statusOf(error: unknown): number | undefined {
  const e = error as ApiFailure | undefined;
  return e?.statusCode ?? (e?.cause ? statusOf(e.cause) : undefined);
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** What Docker said, in one line (through a TaskError's cause: the engine's own words). */
export function saidBy(error: unknown): string {
  const e = error as ApiFailure;
  if (e?.statusCode === undefined && e?.cause && statusOf(e.cause) !== undefined) return saidBy(e.cause);
  const json = e?.json;
  const said = (typeof json === 'object' ? json?.message : undefined) ?? (typeof json === 'string' ? json : undefined) ?? e?.reason ?? e?.message ?? String(error);
  return String(said).replace(/\s+/g, ' ').trim();
}

/** The socket error's code, if the call got no answer. */
export function socketCodeOf(error: unknown): string | undefined {
  const e = error as ApiFailure | undefined;
  if (!e || e.statusCode !== undefined) return undefined;
  if (e.code) return e.code;
  if (/socket hang up/i.test(e.message ?? '')) return 'ECONNRESET';
  return undefined;
}

export function failureOf(error: unknown): Failure {
  const e = error as ApiFailure | undefined;
  if (e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return 'cancelled';
  const status = e?.statusCode;
  if (status === undefined) {
    const code = socketCodeOf(error);
    // A file the call reads (a build context) can be missing too: only a connect's ENOENT is the socket's.
    if (code && UNREACHABLE.has(code) && (code !== 'ENOENT' || e?.syscall === 'connect')) return 'unreachable';
    if (code && DROPPED.has(code)) return 'dropped';
    return 'permanent';
  }
  if (BUSY_STATUS.has(status)) return 'busy';
  if (status === 409 && PASSING_CONFLICT.test(saidBy(error))) return 'busy';
  return 'permanent';
}
