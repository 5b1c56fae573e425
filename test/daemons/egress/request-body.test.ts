import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BodySource } from '../../../daemons/egress/request-body.js';
import { readBody } from '../../../daemons/egress/request-body.js';

/** A request body arriving in `chunks`, with `contentLength` announced when given. */
function body(chunks: string[], contentLength?: number): BodySource & { pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    read() {
      const next = chunks[pulled];
      pulled += 1;
      this.push(next === undefined ? null : Buffer.from(next));
    },
  });
  const headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  return Object.assign(stream, { headers, pulled: () => pulled });
}

describe('readBody', () => {
  it('reads a body whole, up to and including the limit', async () => {
    expect(await readBody(body(['ab', 'cd']), 4)).toEqual({ ok: true, body: Buffer.from('abcd') });
    expect(await readBody(body([]), 4)).toEqual({ ok: true, body: Buffer.alloc(0) });
  });

  it('refuses a body announced larger than the limit without reading any of it', async () => {
    const source = body(['abcde'], 5);
    expect(await readBody(source, 4)).toEqual({ ok: false, why: 'too-large' });
    expect(source.pulled()).toBe(0);
  });

  it('refuses a body that grows past the limit as soon as it does, leaving the rest unread', async () => {
    const source = body(Array.from({ length: 100 }, () => 'x'.repeat(8192)));
    expect(await readBody(source, 10_000)).toEqual({ ok: false, why: 'too-large' });
    // Not the 100 pieces: reading stopped, but for what the stream buffers ahead.
    expect(source.pulled()).toBeLessThan(10);
  });

  it('says the client left when the body is cut off', async () => {
    const source = new Readable({ read() {} });
    const reading = readBody(Object.assign(source, { headers: {} }), 100);
    source.push('partial');
    source.destroy();
    expect(await reading).toEqual({ ok: false, why: 'client-left' });
  });
});
