/** Picks the implementation of a backend kind. */
import { dockerBackend } from './docker/index.js';
import { smolvmBackendFromEnv } from './smolvm/index.js';
import type { Backend, BackendKind } from './types.js';

let smolvm: Backend | undefined;

export function backendFor(kind: BackendKind): Backend {
  if (kind === 'docker') return dockerBackend;
  // Made on first use: BOTTLE_SMOLVM_URL decides between the CLI and smolvm serve.
  return (smolvm ??= smolvmBackendFromEnv());
}
