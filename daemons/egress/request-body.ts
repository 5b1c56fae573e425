/**
 * Reads an inspected request's body whole, so it can be scanned before any
 * of it goes upstream, up to `maxBytes`: a body announced larger (by its
 * Content-Length) is refused without reading it, one that grows larger is
 * refused as soon as it passes the limit, and what was read is dropped. It
 * does not scan the body or answer the client.
 */
import type { Readable } from 'node:stream';

export type BodyRead =
  | { readonly ok: true; readonly body: Buffer }
  | { readonly ok: false; readonly why: 'too-large' | 'client-left' };

export interface BodySource extends Readable {
  readonly headers: { readonly 'content-length'?: string | undefined };
}

export function readBody(req: BodySource, maxBytes: number): Promise<BodyRead> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > maxBytes) return Promise.resolve({ ok: false, why: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.pause();
      finish({ ok: false, why: 'too-large' });
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onGone = (): void => finish({ ok: false, why: 'client-left' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}
