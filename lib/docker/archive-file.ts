/**
 * One host file into a container's directory, and one regular file of a
 * container out to the host, through the Engine API's archive endpoints,
 * streamed (the file may be a large archive itself): it travels as the one
 * entry of a tar that Docker unpacks or packs. Coming out, anything but a
 * regular file at the path is refused unread, and the host file is made
 * anew (never opened through what stands at its name). It knows nothing of
 * what the file holds.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack } from 'tar-stream';
import { TaskError } from '../engine/index.js';
import { abortOn, call, docker, dockerError } from './client.js';

export interface PutFileOptions {
  /** The name the file gets in `dir`. */
  name: string;
  mode: number;
  uid: number;
  gid: number;
  signal?: AbortSignal;
}

/** The host file `hostFile` as `<dir>/<name>` in the container (`dir` must exist). */
export async function putFile(container: string, dir: string, hostFile: string, options: PutFileOptions): Promise<void> {
  const { size } = await stat(hostFile);
  const archive = () => {
    const tar = pack();
    const entry = tar.entry({ name: options.name, type: 'file', size, mode: options.mode, uid: options.uid, gid: options.gid, mtime: new Date() }, (error) => {
      if (error) tar.destroy(error);
      else tar.finalize();
    });
    createReadStream(hostFile)
      .on('error', (error) => tar.destroy(error))
      .pipe(entry);
    // A Node stream for dockerode to pipe (tar-stream's are streamx streams).
    return Readable.from(tar as AsyncIterable<Buffer>);
  };
  // Each send reads the file anew: the same bytes, so sent again freely.
  await call(`copy ${options.name} into ${container}:${dir}`, () => docker().getContainer(container).putArchive(archive(), { path: dir, ...abortOn(options.signal) }), options.signal ? { signal: options.signal } : {});
}

/** The regular file at `path` in the container, written to the new host file `hostFile` (0600); a TaskError when it is not a regular file. */
export async function saveFile(container: string, path: string, hostFile: string, signal?: AbortSignal): Promise<void> {
  const what = `copy ${container}:${path} out`;
  const stream = await call(what, () => docker().getContainer(container).getArchive({ path, ...abortOn(signal) }), signal ? { signal } : {});
  const close = () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      close();
      reject(error);
    };
    const untar = extract();
    // Only the first entry is the path itself: Docker packs one file as one entry.
    untar.once('entry', (header, body) => {
      if (header.type !== 'file') return fail(new TaskError(`${container}:${path} is not a regular file (${header.type})`, { code: 'COPY_FAILED' }));
      pipeline(body, createWriteStream(hostFile, { flags: 'wx', mode: 0o600 })).then(() => {
        resolve();
        close();
      }, fail);
    });
    untar.on('finish', () => fail(new TaskError(`${container}:${path} came out empty`, { code: 'COPY_FAILED' })));
    untar.on('error', (error: unknown) => fail(dockerError(what, error)));
    stream.on('error', (error: unknown) => fail(dockerError(what, error)));
    stream.pipe(untar);
  });
}
