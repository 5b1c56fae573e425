/**
 * `docker create` that may be sent twice. A create whose answer was lost
 * (the connection dropped after dockerd made the container) is sent again by
 * `call` and meets its own container: Docker says the name is in use (409).
 * The container of that name is then looked at:
 * - this spec's (its labels and config hash), never started: the lost
 *   answer's, taken as made; the caller goes on to connect, fill and start it;
 * - this spec's, started: an attempt that failed after starting it made it
 *   whole (files go in before the start); taken as reused;
 * - this bottle's with another config (an attempt of an older plan that
 *   failed before the inventory heard of it): removed and made anew;
 * - anyone else's: refused, named, not touched.
 * It decides nothing about reuse of what the run found (reuse.ts does).
 */
import type Docker from 'dockerode';
import { TaskError } from '../../engine/index.js';
import { abortOn, call, docker, effect, isNotFound, saidBy, statusOf } from '../../docker/client.js';
import { CONFIG_LABEL } from '../reuse.js';
import type { MachineSpec, OpOptions } from '../types.js';

export interface Created {
  id: string;
  /** It had run already (an earlier attempt made it whole): not to be filled and started again. */
  reused: boolean;
}

export async function createContainer(spec: MachineSpec, body: Docker.ContainerCreateOptions, options: OpOptions): Promise<Created> {
  try {
    return { id: (await send(spec, body, options)).id, reused: false };
  } catch (error) {
    if (statusOf(error) !== 409) throw noSuchImage(spec, error);
  }
  const existing = await inspect(spec, options);
  if (!existing) return { id: (await send(spec, body, options)).id, reused: false };
  const labels = existing.Config?.Labels ?? {};
  const ofBottle = Object.entries(spec.labels).every(([k, v]) => labels[k] === v);
  if (!ofBottle) {
    throw new TaskError(`the name ${spec.name} is taken by a container that is not this bottle's (${existing.Id.slice(0, 12)}); remove it (\`docker rm -f ${spec.name}\`) or rename it, then run again`, { code: 'NAME_TAKEN' });
  }
  if (labels[CONFIG_LABEL] === spec.configHash) {
    options.log?.(`${spec.name} was made already (an answer lost on the way): taking it`);
    return { id: existing.Id, reused: existing.State?.Status !== 'created' };
  }
  options.log?.(`remove ${spec.name} (an earlier attempt made it with another config)`);
  await effect(`docker rm ${spec.name}`, () => docker().getContainer(spec.name).remove({ force: true, v: true }), isNotFound, options);
  return { id: (await send(spec, body, options)).id, reused: false };
}

function send(spec: MachineSpec, body: Docker.ContainerCreateOptions, options: OpOptions) {
  return call(`docker create ${spec.name}`, () => docker().createContainer({ ...body, ...abortOn(options.signal) }), options);
}

async function inspect(spec: MachineSpec, options: OpOptions): Promise<Docker.ContainerInspectInfo | undefined> {
  try {
    return await call(`docker inspect ${spec.name}`, () => docker().getContainer(spec.name).inspect(abortOn(options.signal)), options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Docker's 404 on create is the image's or the network's: the image's is said with what to do. */
function noSuchImage(spec: MachineSpec, error: unknown): unknown {
  if (!isNotFound(error) || !/no such image/i.test(saidBy(error))) return error;
  return new TaskError(`the image ${spec.image} of ${spec.name} is not in this Docker (${saidBy(error)}); pull or build it (\`docker pull ${spec.image}\`), or name another \`image\` in the bottle`, {
    code: 'NO_SUCH_IMAGE',
    cause: error,
  });
}
