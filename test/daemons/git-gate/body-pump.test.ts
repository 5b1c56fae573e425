import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pumpBody } from '../../../daemons/git-gate/body-pump.js';

function collector(): { sink: PassThrough; text: () => string } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { sink, text: () => Buffer.concat(chunks).toString() };
}

describe('pumpBody', () => {
  it('copies the whole body and ends the sink', async () => {
    const source = new PassThrough();
    const { sink, text } = collector();
    const done = pumpBody(source, sink, 100);
    source.write('hello ');
    source.end('world');
    expect(await done).toEqual({ bytes: 11, tooLarge: false });
    expect(text()).toBe('hello world');
    expect(sink.writableEnded).toBe(true);
  });

  it('stops at the cap: the sink is cut, the rest of the source is read and dropped', async () => {
    const source = new PassThrough();
    const { sink, text } = collector();
    const done = pumpBody(source, sink, 10);
    source.write('12345');
    source.write('67890ABC');
    expect(await done).toEqual({ bytes: 13, tooLarge: true });
    expect(text()).toBe('12345');
    expect(sink.destroyed).toBe(true);
    source.end('more and more');
    await new Promise((resolve) => source.once('end', resolve)); // drained, not stuck
  });

  it('waits for a slow sink (backpressure) and still delivers everything', async () => {
    const source = new PassThrough();
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        setImmediate(callback);
      },
    });
    const done = pumpBody(source, slow, 1000);
    for (let i = 0; i < 20; i++) source.write(`chunk${i};`);
    source.end();
    expect((await done).tooLarge).toBe(false);
    await new Promise((resolve) => slow.once('finish', resolve));
    expect(received.join('')).toBe(Array.from({ length: 20 }, (_, i) => `chunk${i};`).join(''));
  });

  it('reports a sink that stopped reading, and a source that went away', async () => {
    const source = new PassThrough();
    const broken = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('EPIPE')) });
    const done = pumpBody(source, broken, 100);
    source.write('x');
    expect(await done).toMatchObject({ tooLarge: false, error: new Error('EPIPE') });

    const leaving = new PassThrough();
    const left = pumpBody(leaving, new PassThrough(), 100);
    leaving.destroy();
    expect((await left).error?.message).toBe('the client left before sending the whole body');
  });
});
