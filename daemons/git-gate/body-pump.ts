/**
 * Copies a request body into git's stdin, with backpressure, counting the
 * bytes and stopping once they pass `maxBytes`: the rest is read and dropped
 * (the request is not destroyed, so its socket can still carry the 413).
 * Resolves once the body is whole, too large, or cannot be written (git
 * stopped reading); it never rejects. It does not answer the client.
 */
import type { Readable, Writable } from 'node:stream';

export interface BodyResult {
  /** Bytes read from the request, as sent (compressed, if it was). */
  readonly bytes: number;
  readonly tooLarge: boolean;
  /** Why the body did not all reach git: it stopped reading, or the client left. */
  readonly error?: Error;
}

export function pumpBody(source: Readable, sink: Writable, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (result: Omit<BodyResult, 'bytes'>): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      sink.off('drain', onDrain);
      sink.off('error', onSinkError);
      sink.on('error', () => undefined); // a late EPIPE is no news
      source.resume(); // drop what is still coming
      resolve({ bytes, ...result });
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        sink.destroy();
        finish({ tooLarge: true });
      } else if (!sink.write(chunk)) {
        source.pause();
      }
    };
    const onDrain = (): void => void source.resume();
    const onEnd = (): void => {
      sink.end();
      finish({ tooLarge: false });
    };
    const onClose = (): void => {
      if (!source.readableEnded) finish({ tooLarge: false, error: new Error('the client left before sending the whole body') });
    };
    const onSinkError = (error: Error): void => finish({ tooLarge: false, error });
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('close', onClose);
    sink.on('drain', onDrain);
    sink.on('error', onSinkError);
  });
}
