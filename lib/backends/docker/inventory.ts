/**
 * What Docker holds of ours, listed once per run: every container carrying
 * `bot-bottle.slug` (one call) and every network (one call: the plan needs
 * the subnets of all of them). Probes (is the machine running, is the network
 * as planned) read it instead of asking Docker each; what this run changes is
 * written back, so it stays true for the run. `fresh` asks Docker again, for
 * the few places that must not trust a snapshot (a bundle that may have died
 * since).
 */
import type Docker from 'dockerode';
import { abortOn, call, docker } from '../../docker/client.js';
import type { OpOptions } from '../types.js';
import { SLUG_LABEL } from '../labels.js';

export interface KnownContainer {
  id: string;
  running: boolean;
  labels: Record<string, string>;
  /** Its image: what its files came from. */
  image: string;
  /** Made and never started (Docker's state `created`). */
  neverStarted: boolean;
}

export interface KnownNetwork {
  id: string;
  internal: boolean;
  options: Record<string, string>;
  subnets: string[];
  labels: Record<string, string>;
}

export interface Inventory {
  containers(options?: OpOptions): Promise<Map<string, KnownContainer>>;
  networks(options?: OpOptions): Promise<Map<string, KnownNetwork>>;
  setContainer(name: string, container: KnownContainer | undefined): void;
  setNetwork(name: string, network: KnownNetwork | undefined): void;
}

export function createInventory(): Inventory {
  let containers: Promise<Map<string, KnownContainer>> | undefined;
  let networks: Promise<Map<string, KnownNetwork>> | undefined;
  return {
    containers: (options = {}) => (containers ??= listContainers(options).catch((e) => ((containers = undefined), Promise.reject(e)))),
    networks: (options = {}) => (networks ??= listNetworks(options).catch((e) => ((networks = undefined), Promise.reject(e)))),
    setContainer(name, container) {
      void containers?.then((map) => (container ? map.set(name, container) : map.delete(name))).catch(() => undefined);
    },
    setNetwork(name, network) {
      void networks?.then((map) => (network ? map.set(name, network) : map.delete(name))).catch(() => undefined);
    },
  };
}

async function listContainers(options: OpOptions): Promise<Map<string, KnownContainer>> {
  const found = await call('list containers', () =>
    docker().listContainers({ all: true, filters: { label: [SLUG_LABEL] }, ...abortOn(options.signal) }),
    options,
  );
  return new Map(found.map((c) => [c.Names[0]!.replace(/^\//, ''), { id: c.Id, running: c.State === 'running', labels: c.Labels ?? {}, image: c.ImageID, neverStarted: c.State === 'created' }]));
}

async function listNetworks(options: OpOptions): Promise<Map<string, KnownNetwork>> {
  const found = await call('list networks', () => docker().listNetworks(abortOn(options.signal) as Docker.NetworkListOptions), options);
  return new Map(found.map((n) => [n.Name, knownNetwork(n)]));
}

export function knownNetwork(n: Docker.NetworkInspectInfo): KnownNetwork {
  const subnets = (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s);
  return { id: n.Id, internal: n.Internal, options: n.Options ?? {}, subnets, labels: n.Labels ?? {} };
}
