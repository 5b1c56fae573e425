/**
 * Images for a Docker Engine that is not the process's. The images bottles
 * start from are built on the process's own engine (lib/images), and there
 * is no registry between engines: a backend of another engine asks for an
 * image there before it creates a machine from it (`imageShipper(target)`,
 * one per backend instance), and gets it streamed from the process's engine
 * (stream-image.ts) when the target lacks it or has another image under
 * its name:
 * - once per image ID per shipper: concurrent callers share one sending; a
 *   failed one is forgotten, so a later call sends again; a caller whose
 *   sending was cancelled by the caller that started it (its own signal
 *   still live) starts it again;
 * - one load at a time per target engine (by endpointKey, for the whole
 *   process), each engine its own queue, so a slow one keeps no other
 *   waiting;
 * - checked afterwards: the target must answer the name with the source's
 *   image ID, else it fails naming the engine.
 * Said in the op's log; nothing is sent, nor said, when the target has it.
 * The process's own engine is asked nothing. An image the process's engine
 * does not have is left to the target (one pulled there); creating the
 * machine says when it is missing there too.
 */
import type Docker from 'dockerode';
import PQueue from 'p-queue';
import { TaskError } from '../engine/index.js';
import type { OpOptions } from '../process/op-options.js';
import { call, docker, isNotFound, withEngine } from './client.js';
import { describeEndpoint, endpointKey, type Endpoint } from './endpoint.js';
import { clientOf, defaultEndpoint } from './engine-scope.js';
import { failureOf } from './failures.js';
import { streamImage } from './stream-image.js';

/** Makes sure the target engine has the image `name` as the process's engine has it. */
export type EnsureImage = (name: string, options: OpOptions) => Promise<void>;

/** One queue of loads per target engine, for the whole process. */
const loads = new Map<string, PQueue>();

export function imageShipper(target: Endpoint): EnsureImage {
  const shipments = new Map<string, Promise<void>>();
  let local: boolean | undefined;
  return async (name, options) => {
    local ??= endpointKey(target) === endpointKey(defaultEndpoint());
    if (local) return;
    const source = await withEngine(undefined, () => inspectImage(name, options));
    if (!source) return;
    for (;;) {
      let shipment = shipments.get(source.Id);
      if (!shipment) {
        const started = ship(name, source, target, options).catch((error: unknown) => {
          if (shipments.get(source.Id) === started) shipments.delete(source.Id);
          throw error;
        });
        // Its callers may all have stopped waiting (cancelled): its failure is still handled.
        started.catch(() => undefined);
        shipments.set(source.Id, (shipment = started));
      }
      try {
        return await untilAborted(shipment, name, target, options.signal);
      } catch (error) {
        const theirs = error instanceof TaskError && error.code === 'CANCELLED' && !options.signal?.aborted;
        if (!theirs || shipments.get(source.Id) === shipment) throw error;
      }
    }
  };
}

async function ship(name: string, source: Docker.ImageInspectInfo, target: Endpoint, options: OpOptions): Promise<void> {
  const there = await withEngine(target, () => inspectImage(name, options));
  if (there?.Id === source.Id) return;
  const where = describeEndpoint(target);
  const key = endpointKey(target);
  let queue = loads.get(key);
  if (!queue) loads.set(key, (queue = new PQueue({ concurrency: 1 })));
  const size = `${Math.max(1, Math.round(source.Size / 1e6))} MB`;
  await queue
    .add(
      async () => {
        options.log?.(`send image ${name} (${size}) to the Docker Engine at ${where}${there ? ` (it has another image of that name, ${short(there.Id)})` : ''}`);
        const began = Date.now();
        await streamImage(clientOf(defaultEndpoint()).docker, clientOf(target).docker, name, options.signal).catch((error: unknown) => {
          throw sendError(name, where, error, options.signal);
        });
        await checkLoaded(name, source.Id, target, options);
        options.log?.(`image ${name} (${size}) sent to the Docker Engine at ${where} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
      },
      options.signal ? { signal: options.signal } : {},
    )
    .catch((error: unknown) => {
      // Aborted, waiting its turn or sending: p-queue rejects with the signal's reason.
      if (options.signal?.aborted && !(error instanceof TaskError && error.code === 'CANCELLED')) throw cancelledError(name, where, error);
      throw error;
    });
}

/** After a load: the target must answer `name` with image `id`; else a TaskError naming the engine and what to do. */
export async function checkLoaded(name: string, id: string, target: Endpoint, options: OpOptions): Promise<void> {
  const there = await withEngine(target, () => inspectImage(name, options));
  if (there?.Id === id) return;
  const has = there ? `answers ${name} with the image ${short(there.Id)}` : `has no image ${name}`;
  throw new TaskError(
    `the Docker Engine at ${describeEndpoint(target)} ${has} after loading ${short(id)} under that name: it changed on one side while it was sent (a build of it here, a tag there); run again, and if it says so again, send it by hand (\`docker save ${name} | docker -H <that engine> load\`) and compare \`docker image inspect ${name}\` on both`,
    { code: 'IMAGE_NOT_SHIPPED' },
  );
}

/** The image, or undefined when the engine of the scope has none of that name (404). */
async function inspectImage(name: string, options: OpOptions): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await call(`docker image inspect ${name}`, () => docker().getImage(name).inspect(), options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Waits for a sending shared with others, until this caller's own signal aborts. */
function untilAborted(shipment: Promise<void>, name: string, target: Endpoint, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return shipment;
  return new Promise((resolve, reject) => {
    const stop = () => reject(cancelledError(name, describeEndpoint(target), signal.reason));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    shipment.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

function sendError(name: string, where: string, error: unknown, signal: AbortSignal | undefined): TaskError {
  if (signal?.aborted || failureOf(error) === 'cancelled') return cancelledError(name, where, error);
  const failure = failureOf((error as Error).cause);
  return new TaskError(
    `could not send the image ${name} to the Docker Engine at ${where}: ${(error as Error).message}; check that engine answers and has room for it (\`docker info\` and \`docker system df\` there), then run again`,
    { code: 'IMAGE_SEND_FAILED', transient: failure === 'dropped' || failure === 'unreachable' || failure === 'busy', cause: error },
  );
}

function cancelledError(name: string, where: string, cause: unknown): TaskError {
  return new TaskError(`sending the image ${name} to the Docker Engine at ${where} was cancelled`, { code: 'CANCELLED', cause });
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
