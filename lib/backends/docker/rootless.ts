/**
 * Whether the Docker Engine of the current scope runs rootless (`docker
 * info`'s SecurityOptions name `name=rootless`), asked once per engine for
 * the process. There the engine's root is the user who runs it, and every
 * other container id is one of that user's subordinate ids: a container
 * that is to read and write that user's private directories (the bundle's
 * mounts) runs as root, which is that user and nobody more (its
 * capabilities are dropped like every machine's). It decides nothing else.
 */
import { abortOn, call, docker, engine } from '../../docker/client.js';
import type { OpOptions } from '../types.js';

/** The guest user that is the engine's own user on a rootless engine. */
export const ROOTLESS_HOST_USER = '0:0';

const known = new WeakMap<object, boolean>();

export async function engineIsRootless(options: OpOptions): Promise<boolean> {
  const client = engine();
  const seen = known.get(client);
  if (seen !== undefined) return seen;
  const info = (await call('docker info', () => (docker().info as (opts: object) => Promise<{ SecurityOptions?: string[] }>).call(docker(), abortOn(options.signal)), options)) ?? {};
  // Each option is `name=<name>[,key=value...]` (API 1.25 on).
  const rootless = (info.SecurityOptions ?? []).some((option) => option.split(',').includes('name=rootless'));
  known.set(client, rootless);
  return rootless;
}

/** The guest user that is this process's user on the machine's mounts, where the ids differ: '0:0' on a rootless engine; else undefined. */
export async function hostUserInGuest(options: OpOptions): Promise<string | undefined> {
  return (await engineIsRootless(options)) ? ROOTLESS_HOST_USER : undefined;
}
