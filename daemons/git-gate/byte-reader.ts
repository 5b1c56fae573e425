/**
 * Reads a byte stream a line or a counted run of bytes at a time, holding at
 * most one chunk of it: what `git cat-file --batch` writes (a header line,
 * then exactly `size` bytes) can be read without taking a big object whole.
 * It does not know the format it reads.
 */

export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffer: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** The next line without its `\n`; undefined at the end of the stream (a last line without `\n` included). */
  async readLine(): Promise<string | undefined> {
    let end = this.#buffer.indexOf(0x0a);
    while (end === -1) {
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return undefined;
        const rest = this.#buffer.toString('utf8');
        this.#buffer = Buffer.alloc(0);
        return rest;
      }
      end = this.#buffer.indexOf(0x0a);
    }
    const line = this.#buffer.subarray(0, end).toString('utf8');
    this.#buffer = this.#buffer.subarray(end + 1);
    return line;
  }

  /** Up to `max` bytes (at least one); throws if the stream has ended. */
  async read(max: number): Promise<Buffer> {
    if (this.#buffer.length === 0 && !(await this.#fill())) throw new Error('the stream ended before the bytes announced');
    const piece = this.#buffer.subarray(0, max);
    this.#buffer = this.#buffer.subarray(piece.length);
    return piece;
  }

  /** Exactly `size` bytes, in pieces as they come, and a way to skip what the reader left unread. */
  take(size: number): { readonly pieces: AsyncIterable<Buffer>; skipRest(): Promise<void> } {
    let left = size;
    const next = async (): Promise<Buffer> => {
      const piece = await this.read(left);
      left -= piece.length;
      return piece;
    };
    return {
      pieces: {
        async *[Symbol.asyncIterator]() {
          while (left > 0) yield await next();
        },
      },
      async skipRest() {
        while (left > 0) await next();
      },
    };
  }

  /** Stops reading: the source is closed (a stream is destroyed), so what it still held is dropped. */
  async close(): Promise<void> {
    await this.#source.return?.();
  }

  async #fill(): Promise<boolean> {
    const next = await this.#source.next();
    if (next.done) return false;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    return true;
  }
}
