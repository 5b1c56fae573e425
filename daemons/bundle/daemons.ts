/**
 * The daemons a bundle can run, each as the same small shape: load its config
 * file, start it, say in a line where it listens. Adding a daemon is one
 * entry here and its name in config.ts. It starts nothing by itself.
 */
import { loadConfig } from '../egress/config.js';
import { startEgress } from '../egress/daemon.js';
import type { DaemonName } from './config.js';

export interface Address {
  host: string;
  port: number;
}

export interface RunningDaemon {
  /** Where it listens (its main port). */
  readonly address: Address;
  /** One line for the log: where it listens and what it serves. */
  readonly summary: string;
  close(): Promise<void>;
}

export interface DaemonHooks {
  /** A problem after start that does not stop the daemon (an audit write that failed). */
  warn(daemon: DaemonName, message: string): void;
}

export type StartDaemon = (configPath: string, hooks: DaemonHooks) => Promise<RunningDaemon>;

export const DAEMONS: Record<DaemonName, StartDaemon> = {
  async egress(configPath, hooks) {
    const config = await loadConfig(configPath);
    const running = await startEgress(config, { onAuditError: (error) => hooks.warn('egress', `audit log write failed: ${error.message}`) });
    const tls = running.tls ? `, TLS health on ${running.tls.host}:${running.tls.port}` : '';
    return {
      address: running.proxy,
      summary: `listening on ${running.proxy.host}:${running.proxy.port}${tls}; ${config.allow.length} allow rule(s); audit log ${config.auditLog}`,
      close: () => running.close(),
    };
  },
};
