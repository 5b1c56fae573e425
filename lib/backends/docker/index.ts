/**
 * The Docker backend: the docker CLI (lib/docker) through execa. Each bottle
 * has a network of its own with a subnet of the pool (the bundle at .2, found
 * by its name through Docker's DNS), and the bottles' pool is what the proxy
 * refuses besides the private ranges.
 */
import { hostIn } from '../../net/subnets.js';
import type { Backend } from '../types.js';
import { containerStates, removeContainer, startContainer } from './containers.js';
import { attachTo, copyDirIn, copyFileIn, execIn } from './exec.js';
import { ensureNetworks, networksExist, removeNetworks, subnetOf } from './networks.js';
import { dockerSubnets } from './subnets.js';

export const dockerBackend: Backend = {
  kind: 'docker',
  takesSubnets: true,
  subnetsInUse: dockerSubnets,
  bundleAddress: (network, bundle) => ({ ip: hostIn(subnetOf(network), 2), host: bundle }),
  reservedRanges: (pool) => [pool],
  whyStopped: (machine) => `see \`docker logs ${machine}\``,
  ensureNetwork: ensureNetworks,
  startMachine: startContainer,
  exec: execIn,
  attach: attachTo,
  copyFile: copyFileIn,
  copyDir: copyDirIn,
  status: containerStates,
  removeMachine: removeContainer,
  removeNetwork: removeNetworks,
  networkExists: networksExist,
};
