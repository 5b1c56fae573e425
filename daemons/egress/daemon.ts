/**
 * Runs the egress daemon from a validated config: opens the audit log, starts
 * the proxy and, when `tls` is set, the TLS health server on `tls.host`
 * (loopback by default: the agent reaches it only through the proxy), and
 * stops them all in order. It does not read argv, install signal or error
 * handlers, write to the terminal or exit (main.ts does those).
 */
import { openAuditLog } from './audit-log.js';
import type { AuditLog } from './audit-log.js';
import type { EgressConfig } from './config.js';
import type { BoundAddress } from '../shared/listen.js';
import { createProxyServer } from './proxy-server.js';
import type { TlsHealthServer } from './tls-health.js';
import { createTlsHealthServer, loadTlsFiles } from './tls-health.js';

export interface RunningEgress {
  readonly proxy: BoundAddress;
  readonly tls?: BoundAddress;
  readonly audit: AuditLog;
  /** Stops both servers (cutting open connections), then flushes and closes the audit log. */
  close(): Promise<void>;
}

export interface StartEgressOptions {
  /** Told of an audit-log write or rotation that failed after start. */
  onAuditError?: (error: Error) => void;
}

export async function startEgress(config: EgressConfig, options: StartEgressOptions = {}): Promise<RunningEgress> {
  // TLS files are read before anything listens, so a bad file fails the start cleanly.
  const tlsFiles = config.tls ? await loadTlsFiles(config.tls) : undefined;
  const tlsServer: TlsHealthServer | undefined = tlsFiles ? createTlsHealthServer(tlsFiles) : undefined;
  const audit = await openAuditLog(config.auditLog, {
    rotation: config.audit,
    ...(options.onAuditError ? { onError: options.onAuditError } : {}),
  });
  const { allow, hosts, deny, limits } = config;
  const proxy = createProxyServer({ allow, hosts, deny, limits, audit });

  const close = async (): Promise<void> => {
    await Promise.all([proxy.close(), tlsServer?.close()]);
    await audit.close();
  };
  try {
    const proxyAddress = await proxy.listen(config.listen.host, config.listen.port);
    const tlsAddress = tlsServer && config.tls ? await tlsServer.listen(config.tls.host, config.tls.port) : undefined;
    return { proxy: proxyAddress, ...(tlsAddress ? { tls: tlsAddress } : {}), audit, close };
  } catch (error) {
    await close();
    throw error;
  }
}
