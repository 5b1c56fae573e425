/**
 * Files into and out of a container through the Engine API's archive
 * endpoints. Docker unpacks an upload inside the container's root, and
 * replaces (never writes through) whatever stands where an entry goes unless
 * both are directories; guest-files.ts builds archives that rely on it. A
 * read returns one regular file's bytes up to a cap, and nothing for a link,
 * a directory or a file too large: what a guest left there is not trusted.
 */
import { extract } from 'tar-stream';
import { call, docker, isNotFound } from './client.js';

export async function putArchive(container: string, dir: string, archive: Buffer, signal?: AbortSignal): Promise<void> {
  await call(`copy into ${container}:${dir}`, () =>
    docker().getContainer(container).putArchive(archive, { path: dir, ...(signal ? { abortSignal: signal } : {}) }),
  );
}

/** The bytes of the regular file at `path`, or undefined when there is none (or it is not a regular file, or larger than `maxBytes`). */
export async function readRegularFile(container: string, path: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker().getContainer(container).getArchive({ path, ...(signal ? { abortSignal: signal } : {}) });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    return call(`read ${container}:${path}`, () => Promise.reject(error));
  }
  return new Promise((resolve, reject) => {
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
      body.on('error', reject);
    });
    untar.on('finish', () => resolve(undefined));
    untar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(untar);
  });
}
