/**
 * The Docker backend: the Engine API (lib/docker) for everything but an
 * interactive session, which is the docker CLI's (`docker exec -it`: a
 * terminal of the user's own). Each run makes its own instance, whose
 * inventory (one listing of our containers and all networks) serves every
 * probe of the run. Each bottle has a network of its own with a /28 of the
 * pool (the bundle at .2, found by name through Docker's DNS), and the pool
 * is what the proxy refuses besides the private ranges.
 */
import { execInContainer } from '../../docker/exec.js';
import { hostIn } from '../../net/subnets.js';
import type { Backend } from '../types.js';
import { containerStates, removeContainer, startContainer } from './containers.js';
import { attachTo } from './attach.js';
import { containerLogs } from '../../docker/logs.js';
import { dockerFiles } from './files.js';
import { createInventory } from './inventory.js';
import { ensureNetworks, networksExist, removeNetworks, subnetOf } from './networks.js';
import { dockerSubnets } from './subnets.js';

export function createDockerBackend(): Backend {
  const inventory = createInventory();
  const files = dockerFiles(inventory);
  return {
    kind: 'docker',
    takesSubnets: true,
    subnetsInUse: (own, options) => dockerSubnets(own, inventory, options),
    bundleAddress: (network, bundle) => ({ ip: hostIn(subnetOf(network), 2), host: bundle }),
    reservedRanges: (pool) => [pool],
    whyStopped: (machine) => `see \`docker logs ${machine}\``,
    ensureNetwork: (network, options) => ensureNetworks(network, inventory, options),
    networkExists: (network, options) => networksExist(network, inventory, options),
    removeNetwork: (network, options) => removeNetworks(network, inventory, options),
    startMachine: (spec, options) => startContainer(spec, inventory, files.putAll, options),
    status: (names, options) => containerStates(names, inventory, options),
    removeMachine: (name, options) => removeContainer(name, inventory, options),
    exec: (machine, argv, options = {}) => execInContainer(machine, argv, options),
    putFiles: files.putFiles,
    readFile: files.readFile,
    attach: attachTo,
    logs: containerLogs,
  };
}
