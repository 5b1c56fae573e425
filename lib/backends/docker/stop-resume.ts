/**
 * A container stopped and started again as it is, through the Engine API
 * (`bottle stop` and `bottle start`): the container, its writable layer, its
 * networks and its id stay. A stop of one stopped already (304) or gone
 * (404) is done; a start of one running already (304) is done, of one gone
 * a TaskError that says to bring the bottle up. It never creates or removes
 * (containers.ts does).
 */
import { abortOn, docker, effect, isNotFound, statusOf } from '../../docker/client.js';
import { TaskError } from '../../engine/index.js';
import type { OpOptions } from '../types.js';
import type { Inventory } from './inventory.js';

export async function stopContainer(name: string, inventory: Inventory, options: OpOptions & { graceSeconds?: number }): Promise<void> {
  options.log?.(`stop ${name}`);
  const t = options.graceSeconds !== undefined ? { t: options.graceSeconds } : {};
  let gone = false;
  // 304: stopped already; 404: gone, so not running either.
  const already = (e: unknown) => {
    gone = isNotFound(e);
    return gone || statusOf(e) === 304;
  };
  await effect(`docker stop ${name}`, () => docker().getContainer(name).stop({ ...t, ...abortOn(options.signal) }), already, options);
  if (gone) options.log?.(`${name} is gone: nothing to stop`);
  await known(name, inventory, options, gone ? undefined : false);
}

export async function resumeContainer(name: string, inventory: Inventory, options: OpOptions): Promise<void> {
  options.log?.(`start ${name}`);
  try {
    // 304: running already.
    await effect(`docker start ${name}`, () => docker().getContainer(name).start(abortOn(options.signal)), (e) => statusOf(e) === 304, options);
  } catch (error) {
    if (error instanceof TaskError && isNotFound(error.cause)) {
      throw new TaskError(`there is no container ${name} to start; run \`bottle up\` to make it anew`, { code: 'MACHINE_MISSING', cause: error });
    }
    throw error;
  }
  await known(name, inventory, options, true);
}

/** What this run's inventory says of the container after the change: running or not, or gone (undefined). */
async function known(name: string, inventory: Inventory, options: OpOptions, running: boolean | undefined): Promise<void> {
  const found = (await inventory.containers(options)).get(name);
  if (running === undefined) inventory.setContainer(name, undefined);
  else if (found) inventory.setContainer(name, { ...found, running });
}
