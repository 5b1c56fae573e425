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
import { openExecStream } from '../../docker/exec-stream.js';
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
import { resumeContainer, stopContainer } from './stop-resume.js';
import { ensureNetworks, networksExist, removeNetworks, subnetOf } from './networks.js';
import { dockerSubnets } from './subnets.js';

export function createDockerBackend(): Backend {
  const inventory = createInventory();
  const files = dockerFiles(inventory);
  const copies = dockerCopies(files.putFiles);
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
    attach: attachTo,
    logs: containerLogs,
  };
}
