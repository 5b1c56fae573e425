/**
 * A bottle's Docker networks: an `--internal` one of its own on its /28, and
 * the bundles' shared way out (one bridge for every bottle, made by the first
 * bottle that needs it). The internal bridge has no host address
 * (`inhibit_ipv4`): with no gateway to answer, the agent has no route to the
 * host on any of its addresses, nor to other networks; it reaches its bundle,
 * on the same bridge, and nothing else. On the shared bridge, bundles cannot
 * reach each other (`enable_icc` off). Reused when their settings match,
 * recreated otherwise. A create or remove sent again after its answer was
 * lost takes what it meets (the network it made, nothing to remove) as done.
 */
import type Docker from 'dockerode';
import { abortOn, call, docker, effect, engine, isNotFound, saidBy, statusOf } from '../../docker/client.js';
import { dynamicRange, hostIn } from '../../net/subnets.js';
import type { NetworkInfo, NetworkSpec, OpOptions } from '../types.js';
import { knownNetwork, type Inventory, type KnownNetwork } from './inventory.js';
import { TaskError } from '../../engine/index.js';

const NO_HOST_ADDRESS = 'com.docker.network.bridge.inhibit_ipv4';
const NO_ICC = 'com.docker.network.bridge.enable_icc';
/** The label of the shared egress network (it belongs to no one bottle). */
export const SHARED_LABEL = 'bot-bottle.shared';

export async function ensureNetworks(spec: NetworkSpec, inventory: Inventory, options: OpOptions): Promise<NetworkInfo> {
  const known = await inventory.networks(options);
  const own = known.get(spec.name);
  let id = own?.id ?? null;
  if (!own || !fits(own, spec)) {
    if (own) await removeOne(spec.name, inventory, options);
    const subnet = subnetOf(spec);
    const made = await create(
      {
        Name: spec.name,
        Internal: true,
        Labels: spec.labels,
        Options: { [NO_HOST_ADDRESS]: 'true' },
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: hostIn(subnet, 1), IPRange: dynamicRange(subnet) }] },
      },
      inventory,
      options,
    );
    id = made;
  }
  if (!known.has(spec.egress.name)) await ensureEgress(spec, inventory, options);
  return { network: spec.name, id };
}

/** Shared ways out being made, by engine and name: the bottles of one run wait for one creation on their engine. */
const making = new Map<string, Promise<void>>();

/**
 * The shared way out. Another process racing us to make it is fine: Docker
 * refuses the second (409, or a pool overlap), and what stands then is ours.
 */
function ensureEgress(spec: NetworkSpec, inventory: Inventory, options: OpOptions): Promise<void> {
  const name = spec.egress.name;
  const key = `${engine().key} ${name}`;
  if (!making.has(key)) {
    const body = {
      Name: name,
      Labels: { [SHARED_LABEL]: 'egress' },
      Options: { [NO_ICC]: 'false' },
      ...(spec.egress.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: spec.egress.subnet }] } } : {}),
    };
    const made = create(body, inventory, options, [409]).then(
      () => undefined,
      async (error: unknown) => {
        // Docker reserves the pool before the name shows: give the other maker a moment.
        for (let i = 0; i < 20; i++) {
          const now = await docker().getNetwork(name).inspect().catch(() => undefined);
          if (now?.Labels?.[SHARED_LABEL] === 'egress') return inventory.setNetwork(name, knownNetwork(now));
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new TaskError(`${(error as Error).message}; if another network holds ${spec.egress.subnet}, remove it or set BOTTLE_SUBNET_POOL`, { code: 'EGRESS_NETWORK', transient: true, cause: error });
      },
    );
    making.set(key, made.finally(() => making.delete(key)));
  }
  return making.get(key)!;
}

async function create(body: Docker.NetworkCreateOptions, inventory: Inventory, options: OpOptions, ok: number[] = []): Promise<string | null> {
  options.log?.(`create network ${body.Name}`);
  try {
    await call(`docker network create ${body.Name}`, () => docker().createNetwork({ ...body, CheckDuplicate: true, ...abortOn(options.signal) } as Docker.NetworkCreateOptions), options);
  } catch (error) {
    if (ok.includes(statusOf(error) ?? 0)) return null;
    const made = statusOf(error) === 409 ? await madeAlready(body, options) : undefined;
    if (!made) throw error;
    options.log?.(`network ${body.Name} was made already (an answer lost on the way): taking it`);
    inventory.setNetwork(body.Name, knownNetwork(made));
    return made.Id;
  }
  const info = await call(`docker network inspect ${body.Name}`, () => docker().getNetwork(body.Name).inspect(), options);
  inventory.setNetwork(body.Name, knownNetwork(info));
  return info.Id;
}

/**
 * The network a create met by name (409), when it is the one this body
 * makes: the create's first send made it and its answer was lost. Its
 * labels (the bottle's) and subnet must match; anyone else's is left to the
 * 409.
 */
async function madeAlready(body: Docker.NetworkCreateOptions, options: OpOptions): Promise<Docker.NetworkInspectInfo | undefined> {
  const info = await call(`docker network inspect ${body.Name}`, () => docker().getNetwork(body.Name).inspect(), options).catch((error: unknown) =>
    isNotFound(error) ? undefined : Promise.reject(error),
  );
  if (!info) return undefined;
  const labelsMatch = Object.entries(body.Labels ?? {}).every(([k, v]) => info.Labels?.[k] === v);
  const subnet = body.IPAM?.Config?.[0]?.Subnet;
  return labelsMatch && (!subnet || knownNetwork(info).subnets.includes(subnet)) ? info : undefined;
}

/** A Docker bottle's network always has a subnet of the pool (the plan gives one: takesSubnets). */
export function subnetOf(spec: NetworkSpec): string {
  if (!spec.subnet) throw new TaskError(`the Docker network ${spec.name} was planned without a subnet; run \`bottle up\` again to plan it anew`, { code: 'BAD_SPEC' });
  return spec.subnet;
}

/** Internal, on the planned subnet, and without a host address on its bridge. */
function fits(network: KnownNetwork, spec: NetworkSpec): boolean {
  return network.internal && network.options[NO_HOST_ADDRESS] === 'true' && network.subnets.includes(spec.subnet ?? '');
}

export async function networksExist(spec: NetworkSpec, inventory: Inventory, options: OpOptions = {}): Promise<boolean> {
  const known = await inventory.networks(options);
  const own = known.get(spec.name);
  return !!own && fits(own, spec) && known.has(spec.egress.name);
}

/** The bottle's own network; the shared one too once no bundle is left on it. */
export async function removeNetworks(spec: NetworkSpec, inventory: Inventory, options: OpOptions): Promise<void> {
  await removeOne(spec.name, inventory, options);
  await removeOne(spec.egress.name, inventory, options, true);
}

/** Containers still attached (a test host, say) are disconnected first, or Docker refuses; `onlyIfUnused` leaves a network anyone uses. */
async function removeOne(name: string, inventory: Inventory, options: OpOptions, onlyIfUnused = false): Promise<void> {
  const network = docker().getNetwork(name);
  let info: Docker.NetworkInspectInfo;
  try {
    info = await call(`docker network inspect ${name}`, () => network.inspect(), options);
  } catch (error) {
    if (isNotFound(error)) return inventory.setNetwork(name, undefined);
    throw error;
  }
  const attached = Object.keys(info.Containers ?? {});
  if (onlyIfUnused && attached.length > 0) return;
  for (const container of attached) {
    // Gone, or not attached any more (a disconnect whose answer was lost, sent again): done.
    const already = (e: unknown) => isNotFound(e) || /is not connected to/i.test(saidBy(e));
    await effect(`docker network disconnect ${name} ${container}`, () => network.disconnect({ Container: container, Force: true, ...abortOn(options.signal) }), already, options);
  }
  options.log?.(`remove network ${name}`);
  try {
    await effect(`docker network rm ${name}`, () => network.remove(abortOn(options.signal)), isNotFound, options);
  } catch (error) {
    // In use by a bundle that joined meanwhile: not ours to remove now.
    if (!(onlyIfUnused && [403, 409].includes(statusOf(error) ?? 0))) throw error;
  }
  inventory.setNetwork(name, undefined);
}
