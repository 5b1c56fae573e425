/**
 * The daemons a bundle can run, each as the same small shape: load its config
 * file, start it, say in a line where it listens. Adding a daemon is one
 * entry here and its name in config.ts. It starts nothing by itself.
 */
import { loadConfig } from '../egress/config.js';
import { describePolicy, startEgress } from '../egress/daemon.js';
import { loadGitGateConfig, startGitGate } from '../git-gate/index.js';
import { loadSuperviseConfig, MCP_PATH, startSupervise } from '../supervise/index.js';
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
    const running = await startEgress(config, {
      onAuditError: (error) => hooks.warn('egress', `audit log write failed: ${error.message}`),
      onReload: (message) => hooks.warn('egress', message),
    });
    const tls = running.tls ? `, TLS health on ${running.tls.host}:${running.tls.port}` : '';
    const policy = config.policyFile ? `policy ${config.policyFile} (followed): ` : '';
    return {
      address: running.proxy,
      summary: `listening on ${running.proxy.host}:${running.proxy.port}${tls}; ${policy}${describePolicy(running.policy())}; audit log ${config.auditLog}`,
      close: () => running.close(),
    };
  },
  async gitGate(configPath, hooks) {
    const config = await loadGitGateConfig(configPath);
    // The hook reads the same file on every push.
    const running = await startGitGate(config, { configPath, onAuditError: (error) => hooks.warn('gitGate', `audit log write failed: ${error.message}`) });
    return {
      address: running.address,
      summary: `serving ${config.repo} on ${running.address.host}:${running.address.port}; pushes to ${config.push.join(', ') || 'no ref'}; audit log ${config.auditLog}`,
      close: () => running.close(),
    };
  },
  async supervise(configPath, hooks) {
    const config = await loadSuperviseConfig(configPath);
    const running = await startSupervise(config, { onError: (error) => hooks.warn('supervise', error.message) });
    return {
      address: running.address,
      summary: `MCP on ${running.address.host}:${running.address.port}${MCP_PATH}; messages in ${config.dir}; ask_human waits ${Math.round(config.askTimeoutMs / 1000)} s`,
      close: () => running.close(),
    };
  },
};
