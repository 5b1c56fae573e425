/**
 * Scans a stream of bytes (a git object's content or a request body, read in
 * pieces) for secret patterns without holding it whole: the bytes are decoded
 * as UTF-8 (a character split between pieces is kept whole) and tested in windows of
 * `windowChars` characters, each starting with the last `overlapChars` of
 * the one before, so a match up to `overlapChars` long that spans a window
 * boundary is still found. A pattern that has matched is not tested again;
 * once all have, the rest of the stream is not read. It returns pattern
 * names only, never the matched text. It does not know git, HTTP or time
 * limits (the `test` option is where the git gate's timed-regex.ts puts one).
 */
import { StringDecoder } from 'node:string_decoder';
import type { SecretPattern } from './secret-patterns.js';

/** Which of `patterns` match somewhere in `text`, in their order. */
export type PatternTest = (patterns: readonly SecretPattern[], text: string) => readonly SecretPattern[];

export const plainTest: PatternTest = (patterns, text) => patterns.filter((pattern) => pattern.regex.test(text));

export interface ScanOptions {
  readonly windowChars?: number;
  readonly overlapChars?: number;
  readonly test?: PatternTest;
}

export const WINDOW_CHARS = 256 * 1024;
/** The longest match sure to be found across a window boundary. */
export const OVERLAP_CHARS = 8 * 1024;

/** The names of the patterns found in the stream, in the order they were found. */
export async function scanForSecrets(
  chunks: AsyncIterable<Uint8Array | string>,
  patterns: readonly SecretPattern[],
  options: ScanOptions = {},
): Promise<readonly string[]> {
  const { windowChars = WINDOW_CHARS, overlapChars = OVERLAP_CHARS, test = plainTest } = options;
  if (!(overlapChars >= 0 && overlapChars < windowChars)) {
    throw new RangeError(`overlapChars must be from 0 to windowChars - 1 (${windowChars - 1}), got ${overlapChars}`);
  }
  const decoder = new StringDecoder('utf8');
  const found: string[] = [];
  let remaining = patterns;
  let tail = '';
  let pending = '';

  const testWindow = (text: string): void => {
    const hits = test(remaining, text);
    if (hits.length === 0) return;
    found.push(...hits.map((pattern) => pattern.name));
    remaining = remaining.filter((pattern) => !hits.includes(pattern));
  };

  if (remaining.length === 0) return found;
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    while (pending.length >= windowChars) {
      const window = tail + pending.slice(0, windowChars);
      pending = pending.slice(windowChars);
      testWindow(window);
      if (remaining.length === 0) return found;
      tail = overlapChars === 0 ? '' : window.slice(-overlapChars);
    }
  }
  pending += decoder.end();
  // The last window: what is left after the full ones (or the whole, when it was short).
  if (pending !== '') testWindow(tail + pending);
  return found;
}
