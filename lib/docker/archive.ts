/**
 * Files into and out of a container through the Engine API's archive
 * endpoints. Docker unpacks an upload inside the container's root, and
 * replaces (never writes through) whatever stands where an entry goes unless
 * both are directories; guest-files.ts builds archives that rely on it. A
 * read returns one regular file's bytes up to a cap, and nothing for a link,
 * a directory or a file too large: what a guest left there is not trusted.
 */
import { extract } from 'tar-stream';
import { abortOn, call, docker, dockerError, isNotFound } from './client.js';

export async function putArchive(container: string, dir: string, archive: Buffer, signal?: AbortSignal): Promise<void> {
  // The same bytes unpacked twice leave the same files: sent again freely.
  await call(`copy into ${container}:${dir}`, () => docker().getContainer(container).putArchive(archive, { path: dir, ...abortOn(signal) }), signal ? { signal } : {});
}

/** The bytes of the regular file at `path`, or undefined when there is none (or it is not a regular file, or larger than `maxBytes`). */
export async function readRegularFile(container: string, path: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  const what = `read ${container}:${path}`;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await call(what, () => docker().getContainer(container).getArchive({ path, ...abortOn(signal) }), signal ? { signal } : {});
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(dockerError(what, error));
    const untar = extract();
    const stop = (value: Buffer | undefined) => {
      resolve(value);
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    };
    untar.once('entry', (header, body) => {
      // Only the first entry is the path itself; anything but a small regular file ends the read unread.
      if (header.type !== 'file' || (header.size ?? 0) > maxBytes) return stop(undefined);
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => chunks.push(c as Buffer));
      body.on('end', () => stop(Buffer.concat(chunks)));
      body.on('error', fail);
    });
    untar.on('finish', () => resolve(undefined));
    untar.on('error', fail);
    stream.on('error', fail);
    stream.pipe(untar);
  });
}
