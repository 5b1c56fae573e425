/**
 * The Docker backend: the Engine API (lib/docker) for everything but an
 * interactive session, which is the docker CLI's (`docker exec -it`: a
 * terminal of the user's own). An instance is made for one engine (an
 * endpoint; by default the process's) and every operation of it runs
 * against that engine (`withEngine`), whoever calls it from wherever, the
 * CLI's sessions too. Each run makes its own instance per engine, whose
 * inventory (one listing of our containers and all networks) serves every
 * probe of the run on that engine. Each bottle has a network of its own
 * with a /28 of the pool (the bundle at .2, found by name through Docker's
 * DNS), and the pool is what the proxy refuses besides the private ranges.
 * On an engine not the process's, a machine's image is sent from the
 * process's engine first when that engine lacks it (ship-image.ts).
 * On a rootless engine, the user's own id in a container is root
 * (rootless.ts): what mounts the user's directories runs as that.
 * It does not pick the engine of a bottle.
 */
import { withEngine } from '../../docker/client.js';
import { describeEndpoint, type Endpoint } from '../../docker/endpoint.js';
import { defaultEndpoint } from '../../docker/engine-scope.js';
import { execInContainer } from '../../docker/exec.js';
import { openExecStream } from '../../docker/exec-stream.js';
import { imageShipper } from '../../docker/ship-image.js';
import { hostIn } from '../../net/subnets.js';
import type { Backend } from '../types.js';
import { containerStates, removeContainer, startContainer } from './containers.js';
import { attachTo } from './attach.js';
import { dockerCopies } from './copy.js';
import { containerLogs } from '../../docker/logs.js';
import { dockerFiles } from './files.js';
import { createInventory } from './inventory.js';
import { removeVolumesLabelled } from './volumes.js';
import { labelledObjects } from './labelled.js';
import { hostUserInGuest } from './rootless.js';
import { resumeContainer, stopContainer } from './stop-resume.js';
import { ensureNetworks, networksExist, removeNetworks, subnetOf } from './networks.js';
import { dockerSubnets } from './subnets.js';

/** `endpoint`: the engine it works on; undefined, the process's (DOCKER_HOST, the context, the local socket), read at its first call. */
export function createDockerBackend(endpoint?: Endpoint): Backend {
  const inventory = createInventory();
  const files = dockerFiles(inventory);
  const copies = dockerCopies(files.putFiles);
  const on = endpoint ? ` on the Docker Engine at ${describeEndpoint(endpoint)}` : '';
  // Images are built on the process's engine: another engine gets them from it, once per image for this instance.
  const ensureImage = endpoint ? imageShipper(endpoint) : undefined;
  return onEngine(endpoint, {
    kind: 'docker',
    takesSubnets: true,
    // Read when first asked: the process's engine is found then (as its first call would).
    get sharesHostPaths() {
      return onUnixSocket(endpoint);
    },
    hostUserInGuest: (options = {}) => hostUserInGuest(options),
    subnetsInUse: (own, options) => dockerSubnets(own, inventory, options),
    bundleAddress: (network, bundle) => ({ ip: hostIn(subnetOf(network), 2), host: bundle }),
    reservedRanges: (pool) => [pool],
    whyStopped: (machine) => `see \`docker logs ${machine}\`${on}`,
    ensureNetwork: (network, options) => ensureNetworks(network, inventory, options),
    networkExists: (network, options) => networksExist(network, inventory, options),
    removeNetwork: (network, options) => removeNetworks(network, inventory, options),
    startMachine: (spec, options) => startContainer(spec, inventory, files.putAll, options, ensureImage),
    status: (names, options) => containerStates(names, inventory, options),
    stopMachine: (name, options) => stopContainer(name, inventory, options),
    resumeMachine: (name, options) => resumeContainer(name, inventory, options),
    removeMachine: (name, options) => removeContainer(name, inventory, options),
    listLabelled: (options) => labelledObjects(inventory, options),
    removeVolumes: (labels, options) => removeVolumesLabelled(labels, options),
    exec: (machine, argv, options = {}) => execInContainer(machine, argv, options),
    putFiles: files.putFiles,
    readFile: files.readFile,
    copyOut: copies.copyOut,
    copyIn: copies.copyIn,
    execStream: (machine, argv, options) => openExecStream(machine, argv, options),
    attach: (machine, argv, options) => attachTo(endpoint, machine, argv, options),
    logs: containerLogs,
  });
}

/**
 * The backend with each of its methods run within `withEngine(endpoint)`:
 * every method, so one added later cannot forget it. Undefined is the
 * process's engine, set as a scope too, so a backend called from within
 * another engine's scope still works on its own.
 */
function onEngine(endpoint: Endpoint | undefined, backend: Backend): Backend {
  const scoped = {};
  // Descriptors, not values: a getter stays a getter.
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(backend))) {
    const value: unknown = descriptor.value;
    const wrapped = typeof value === 'function' ? { ...descriptor, value: (...args: unknown[]) => withEngine(endpoint, () => (value as (...a: unknown[]) => unknown)(...args)) } : descriptor;
    Object.defineProperty(scoped, name, wrapped);
  }
  return scoped as Backend;
}

/**
 * Whether the engine is this machine's, reached over a unix socket (its
 * containers can mount this host's paths), not tcp:// or ssh://. The
 * process's engine when none is given; one its environment cannot name is
 * taken for the local socket (every call to it fails anyway, saying why).
 */
function onUnixSocket(endpoint: Endpoint | undefined): boolean {
  try {
    return (endpoint ?? defaultEndpoint()).socketPath !== undefined;
  } catch {
    return true;
  }
}
