/** The Docker backend: the docker CLI through execa, nothing else. */
import type { Backend } from '../types.js';
import { containerStates, removeContainer, startContainer } from './containers.js';
import { attachTo, copyDirIn, copyFileIn, execIn } from './exec.js';
import { ensureNetworks, networksExist, removeNetworks } from './networks.js';

export const dockerBackend: Backend = {
  kind: 'docker',
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
