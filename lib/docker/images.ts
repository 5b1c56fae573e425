/**
 * Images through the Engine API: whether one exists, pull, import a rootfs
 * tar, and build a context directory (Docker's classic builder). Progress
 * lines go to the task's log; an error in the progress stream (a failed
 * RUN, a pull refused) fails the call with Docker's words. It knows nothing
 * of our images (lib/images does).
 */
import { readdir } from 'node:fs/promises';
import type { OpOptions } from '../process/op-options.js';
import { TaskError } from '../engine/index.js';
import { abortOn, call, docker, dockerError, isNotFound } from './client.js';
import type { Resend } from './retry.js';

export async function imageExists(name: string, options: OpOptions = {}): Promise<boolean> {
  try {
    await call(`docker image inspect ${name}`, () => docker().getImage(name).inspect(), options);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** `resend`: 'if-unsent' for a pull that tries a registry (an answer of failure, a 500, is not worth repeating). */
export async function pullImage(name: string, options: OpOptions, resend: Resend = 'yes'): Promise<void> {
  await follow(`docker pull ${name}`, () => docker().pull(name, abortOn(options.signal)), options, resend);
}

/** A rootfs tar (stream) as image `tag`, with `changes` (Dockerfile lines such as `CMD ["bash"]`). */
export async function importImage(rootfs: NodeJS.ReadableStream, tag: string, changes: string[], options: OpOptions): Promise<void> {
  const [repo, version] = splitTag(tag);
  // Its body is a stream the first send consumes: never sent again.
  await follow(`docker import ${tag}`, () => docker().importImage(rootfs, { repo, tag: version, changes }), options, 'no');
}

export async function buildImage(contextDir: string, tag: string, settings: { buildargs: Record<string, string>; labels: Record<string, string> }, options: OpOptions): Promise<void> {
  const src = await readdir(contextDir);
  // dockerode packs the context anew on each send.
  await follow(
    `docker build ${tag}`,
    () => docker().buildImage({ context: contextDir, src }, { t: tag, buildargs: settings.buildargs, labels: settings.labels, rm: true, forcerm: true, ...abortOn(options.signal) }),
    options,
  );
}

interface Progress {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Runs a call whose answer is a progress stream, logging it, failing on the
 * first error in it (a failed RUN: permanent); the stream cut short is a
 * dropped connection (transient). Only its start is sent again.
 */
async function follow(what: string, start: () => Promise<NodeJS.ReadableStream>, options: OpOptions, resend: Resend = 'yes'): Promise<void> {
  const stream = await call(what, start, { ...options, resend });
  await new Promise<void>((resolve, reject) => {
    let failed: string | undefined;
    docker().modem.followProgress(
      stream,
      (error: unknown) => (error ? reject(error) : failed ? reject(new TaskError(`${what} failed: ${failed}`, { code: 'DOCKER_FAILED' })) : resolve()),
      (event: Progress) => {
        if (event.error || event.errorDetail) failed ??= event.errorDetail?.message ?? event.error;
        const line = (event.stream ?? event.status ?? '').trimEnd();
        if (line) for (const l of line.split('\n')) options.log?.(l);
      },
    );
  }).catch((error: unknown) => {
    throw dockerError(what, error);
  });
}

function splitTag(tag: string): [string, string] {
  const at = tag.lastIndexOf(':');
  return at > tag.lastIndexOf('/') ? [tag.slice(0, at), tag.slice(at + 1)] : [tag, 'latest'];
}
