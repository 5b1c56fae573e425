/**
 * The git gate's public face, for the bundle's main and the hook entry:
 * start the daemon, read its config, the built-in secret patterns, and the
 * pre-receive hook's logic. It holds no code of its own.
 */
export { startGitGate } from './daemon.js';
export type { RunningGitGate, StartGitGateOptions } from './daemon.js';
export { checkGitGateConfig, CONFIG_ENV, DEFAULT_GIT_GATE_LIMITS, GitGateConfigError, loadGitGateConfig } from './config.js';
export type { CheckedGitGateConfig, GitGateConfig, GitGateLimits } from './config.js';
export { BUILTIN_SECRET_PATTERNS } from '../common/secret-patterns.js';
export type { SecretPattern, SecretPatternSource } from '../common/secret-patterns.js';
export { runPreReceive } from './pre-receive.js';
export type { PreReceiveOptions, PreReceiveResult } from './pre-receive.js';
export type { Refusal, RefusalRule } from './push-policy.js';
export type { AuditEntry, PushEntry, RequestEntry } from './audit-log.js';
export { AuditLogError } from './audit-log.js';
export { ListenError } from '../common/listen.js';
export type { BoundAddress } from '../common/listen.js';
