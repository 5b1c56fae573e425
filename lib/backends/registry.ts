/** Picks the implementation of a backend kind. */
import { TaskError } from '../engine/errors.js';
import { dockerBackend } from './docker/index.js';
import type { Backend, BackendKind } from './types.js';

export function backendFor(kind: BackendKind): Backend {
  if (kind === 'docker') return dockerBackend;
  throw new TaskError(`the ${kind} backend is not available in this version of bottle; use backend: docker`, { code: 'NO_BACKEND' });
}
