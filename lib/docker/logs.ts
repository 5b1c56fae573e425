/**
 * A container's own output (what its main process printed), through the
 * Engine API: the whole of it, or with `follow` also what comes until the
 * signal aborts or the container stops; stdout and stderr demultiplexed onto
 * the writers given. It prints nothing itself.
 */
import { Readable, Writable } from 'node:stream';
import { abortOn, call, docker } from './client.js';

export interface LogsRequest {
  follow: boolean;
  signal?: AbortSignal;
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

const sink = (write: (chunk: Buffer) => void) => new Writable({ write: (chunk: Buffer, _encoding, done) => (write(chunk), done()) });

export async function containerLogs(container: string, request: LogsRequest): Promise<void> {
  const what = `docker logs ${container}`;
  const target = docker().getContainer(container);
  if (!request.follow) {
    const buffer = await call(what, () => target.logs({ stdout: true, stderr: true, follow: false, ...abortOn(request.signal) }), request.signal ? { signal: request.signal } : {});
    const stream = Readable.from([buffer]);
    docker().modem.demuxStream(stream, sink(request.stdout), sink(request.stderr));
    await new Promise<void>((resolve) => stream.on('end', resolve).on('close', resolve));
    return;
  }
  const stream = await call(what, () => target.logs({ stdout: true, stderr: true, follow: true, ...abortOn(request.signal) }), request.signal ? { signal: request.signal } : {});
  docker().modem.demuxStream(stream, sink(request.stdout), sink(request.stderr));
  await new Promise<void>((resolve) => {
    stream.on('end', resolve).on('close', resolve).on('error', () => resolve());
    request.signal?.addEventListener('abort', () => ((stream as unknown as { destroy(): void }).destroy(), resolve()), { once: true });
  });
}
