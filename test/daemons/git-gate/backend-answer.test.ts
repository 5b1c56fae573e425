import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { holdAnswer, MAX_HELD_BYTES, readHead } from '../../../daemons/git-gate/backend-answer.js';
import type { BodyResult } from '../../../daemons/git-gate/body-pump.js';

function answerStream(): { stream: PassThrough; chunks: AsyncIterator<Buffer> } {
  const stream = new PassThrough();
  return { stream, chunks: stream[Symbol.asyncIterator]() };
}

function deferredBody(): { promise: Promise<BodyResult>; resolve: (result: BodyResult) => void } {
  let resolve!: (result: BodyResult) => void;
  const promise = new Promise<BodyResult>((done) => (resolve = done));
  return { promise, resolve };
}

describe('readHead', () => {
  it('reads the head across pieces and keeps what follows it', async () => {
    const { stream, chunks } = answerStream();
    stream.write('Status: 200 OK\r\nContent-Ty');
    stream.write('pe: x\r\n\r\n0008NAK');
    const { head, held } = await readHead(chunks);
    expect(head).toEqual({ status: 200, headers: [['Content-Type', 'x']] });
    expect(Buffer.concat(held).toString()).toBe('0008NAK');
  });

  it('fails when git ends before a head', async () => {
    const { stream, chunks } = answerStream();
    stream.end('Content-Type: x\r\n');
    await expect(readHead(chunks)).rejects.toThrow('it ended without a response head');
  });
});

describe('holdAnswer', () => {
  it('holds what git says until the request body has ended', async () => {
    const { stream, chunks } = answerStream();
    const body = deferredBody();
    const held: Buffer[] = [];
    const holding = holdAnswer(chunks, body.promise, held);
    stream.write('progress 1\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(held).toString()).toBe('progress 1\n');
    body.resolve({ bytes: 10, tooLarge: true });
    const waited = await holding;
    expect(waited).toMatchObject({ body: { tooLarge: true }, ended: false });
    // The read under way when the body ended is handed over, not lost.
    stream.end('rest');
    expect((await waited.pending)?.value?.toString()).toBe('rest');
  });

  it('says when git ended first, and waits for the body then', async () => {
    const { stream, chunks } = answerStream();
    const body = deferredBody();
    const holding = holdAnswer(chunks, body.promise, []);
    stream.end();
    await new Promise((resolve) => setImmediate(resolve));
    body.resolve({ bytes: 0, tooLarge: false });
    expect(await holding).toEqual({ body: { bytes: 0, tooLarge: false }, ended: true });
  });

  it('stops holding past MAX_HELD_BYTES, before the body has ended', async () => {
    const { stream, chunks } = answerStream();
    const held: Buffer[] = [];
    const holding = holdAnswer(chunks, new Promise<BodyResult>(() => undefined), held);
    stream.write(Buffer.alloc(MAX_HELD_BYTES + 1));
    expect(await holding).toEqual({ ended: false });
    expect(Buffer.concat(held).length).toBe(MAX_HELD_BYTES + 1);
  });
});
