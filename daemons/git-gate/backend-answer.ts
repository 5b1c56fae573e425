/**
 * Reading git http-backend's answer while the request body may still be
 * coming: the CGI head first (cgi-response.ts), then what follows it, held
 * in memory until the body has ended, so the caller can still answer 413
 * instead. git writes only a few lines of progress before it has read the
 * whole body; past MAX_HELD_BYTES holding stops and the answer goes out as
 * it is. It does not write to the client.
 */
import type { BodyResult } from './body-pump.js';
import type { CgiHead } from './cgi-response.js';
import { splitCgiHead } from './cgi-response.js';

export type Chunks = AsyncIterator<Buffer>;

export const MAX_HELD_BYTES = 1024 * 1024;

/** Reads until the head is whole; what came after it is the start of the body. */
export async function readHead(stdout: Chunks): Promise<{ head: CgiHead; held: Buffer[] }> {
  let received = Buffer.alloc(0);
  for (;;) {
    const split = splitCgiHead(received);
    if (split) return { head: split.head, held: split.body.length > 0 ? [split.body] : [] };
    const next = await stdout.next();
    if (next.done) throw new Error('it ended without a response head');
    received = Buffer.concat([received, next.value]);
  }
}

export interface Held {
  /** The request body's result, once it came; absent when holding stopped first (too much held). */
  readonly body?: BodyResult;
  /** Whether git's whole answer is in `held`. */
  readonly ended: boolean;
  /** A read of git's answer started while the body ended; it comes before any other. */
  readonly pending?: Promise<IteratorResult<Buffer>>;
}

/** Reads git's answer into `held` while the request body is still coming. */
export async function holdAnswer(stdout: Chunks, body: Promise<BodyResult>, held: Buffer[]): Promise<Held> {
  let heldBytes = held.reduce((sum, chunk) => sum + chunk.length, 0);
  const bodyDone = body.then((result) => ({ body: result }) as const);
  while (heldBytes <= MAX_HELD_BYTES) {
    const next = stdout.next();
    const first = await Promise.race([bodyDone, next.then((chunk) => ({ chunk }) as const)]);
    if ('body' in first) return { body: first.body, ended: false, pending: next };
    if (first.chunk.done) return { body: await body, ended: true };
    held.push(first.chunk.value);
    heldBytes += first.chunk.value.length;
  }
  return { ended: false };
}
