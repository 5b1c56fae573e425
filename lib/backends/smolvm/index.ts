/**
 * The smolvm backend as bottle picks it: the HTTP API of `smolvm serve` when
 * `BOTTLE_SMOLVM_URL` names one, else the `smolvm` CLI (`BOTTLE_SMOLVM`, else
 * `smolvm` on PATH).
 */
import type { Backend } from '../types.js';
import { createSmolvmBackend } from './backend.js';
import { cliTransport } from './cli.js';
import { httpTransport } from './http.js';
import { dryRunSmolvmBackend } from './dry-run.js';
import type { SmolvmTransport } from './transport.js';

export function transportFromEnv(env: NodeJS.ProcessEnv = process.env): SmolvmTransport {
  return env.BOTTLE_SMOLVM_URL ? httpTransport({ url: env.BOTTLE_SMOLVM_URL }) : cliTransport();
}

export function smolvmBackendFromEnv(env: NodeJS.ProcessEnv = process.env): Backend {
  return { ...createSmolvmBackend({ transport: transportFromEnv(env) }), recording: dryRunSmolvmBackend };
}

export { createSmolvmBackend } from './backend.js';
export { cliTransport } from './cli.js';
export { httpTransport } from './http.js';
export { dryRunSmolvmBackend, recordingRunner } from './dry-run.js';
