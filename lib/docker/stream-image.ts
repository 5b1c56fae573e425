/**
 * Streams an image from one Docker Engine into another through the Engine
 * API, with no registry: `GET /images/{name}/get` (docker save) on the
 * source piped into `POST /images/load` (docker load) on the target, never
 * held whole in memory or written to disk (the pipe keeps back-pressure).
 * It fails when either side reports an error, an error the load reports in
 * its progress stream under a 200 included, and says which side broke; the
 * signal stops both halves, before their answers and after. Its errors keep
 * the client's error as their cause. It does not pull, tag, retry, check the
 * platform or what the target holds afterwards (ship-image.ts does that).
 */
import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';

interface LoadEvent {
  error?: string;
  errorDetail?: { message?: string };
}

export async function streamImage(from: Docker, to: Docker, name: string, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw cancelled(name, signal);
  const tar = await save(from, name, signal).catch((error: unknown) => {
    throw signal?.aborted ? cancelled(name, signal) : new Error(`saving ${name} from the source engine failed: ${words(error)}`, { cause: error });
  });
  let saveFailed: Error | undefined;
  let progress: NodeJS.ReadableStream | undefined;
  const stop = () => {
    const error = cancelled(name, signal!);
    tar.destroy(error);
    (progress as IncomingMessage | undefined)?.destroy(error);
  };
  // A save that breaks halfway destroys the load's request (docker-modem does, on the body's error): say which side broke.
  tar.on('error', (error: Error) => (saveFailed ??= error));
  signal?.addEventListener('abort', stop, { once: true });
  let events: LoadEvent[];
  try {
    progress = await to.loadImage(tar, { quiet: true, ...(signal ? { abortSignal: signal } : {}) });
    events = await new Promise<LoadEvent[]>((resolve, reject) => {
      to.modem.followProgress(progress!, (error: Error | null, output: LoadEvent[]) => (error ? reject(error) : resolve(output)));
    });
  } catch (error) {
    if (signal?.aborted) throw cancelled(name, signal);
    if (saveFailed) throw new Error(`saving ${name} from the source engine failed: ${words(saveFailed)}`, { cause: saveFailed });
    throw new Error(`loading ${name} into the target engine failed: ${words(error)}`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', stop);
    tar.destroy();
  }
  // A refusal under a 200: the load's own progress says it.
  const said = events.find((e) => e.error || e.errorDetail);
  if (said) throw new Error(`loading ${name} into the target engine failed: ${said.errorDetail?.message ?? said.error}`);
}

/** dockerode's `getImage(name).get()` takes no signal: the same call, with one. */
function save(from: Docker, name: string, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    from.modem.dial(
      {
        path: `/images/${name}/get`,
        method: 'GET',
        isStream: true,
        ...(signal ? { abortSignal: signal } : {}),
        statusCodes: { 200: true, 404: 'no such image', 500: 'server error' },
      },
      (error: unknown, stream: unknown) => (error ? reject(error) : resolve(stream as IncomingMessage)),
    );
  });
}

function cancelled(name: string, signal: AbortSignal): Error {
  return Object.assign(new Error(`sending ${name} was cancelled`, { cause: signal.reason }), { name: 'AbortError' });
}

/** dockerode's words for a refusal end in a space and carry the status; a socket error its code. */
function words(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = (e?.message ?? String(error)).trim();
  return e?.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
