/**
 * Runs the egress daemon from a validated config: opens the audit log, the
 * policy (from egress.json, or followed in `policyFile`, live-file.ts) and,
 * with an `inspect` section, the leaf store, the upstream roots and the
 * credentials file (followed too); starts the proxy and, when `tls` is set,
 * the TLS health server on `tls.host` (loopback by default: the agent
 * reaches it only through the proxy), and stops them all in order. A policy
 * or credentials file that changes to something unusable is reported and the
 * previous one kept. It does not read argv, install signal or error
 * handlers, write to the terminal or exit (main.ts does those).
 */
import { openAuditLog } from './audit-log.js';
import type { AuditLog } from './audit-log.js';
import type { EgressConfig, InspectConfig } from './config.js';
import type { Credentials } from './credentials.js';
import { NO_CREDENTIALS, readCredentialsFile } from './credentials.js';
import { createLeafStore } from './leaf-store.js';
import type { LiveFile } from './live-file.js';
import { openLiveFile } from './live-file.js';
import type { BoundAddress } from '../common/listen.js';
import type { Policy } from './policy.js';
import { readPolicyFile } from './policy.js';
import type { InspectOptions } from './proxy-server.js';
import { createProxyServer } from './proxy-server.js';
import type { TlsHealthServer } from './tls-health.js';
import { createTlsHealthServer, loadTlsFiles } from './tls-health.js';
import { loadUpstreamTrust } from './upstream-trust.js';

export interface RunningEgress {
  readonly proxy: BoundAddress;
  readonly tls?: BoundAddress;
  readonly audit: AuditLog;
  /** The policy in force now. */
  policy(): Policy;
  /** Stops both servers (cutting open connections), then flushes and closes the audit log. */
  close(): Promise<void>;
}

export interface StartEgressOptions {
  /** Told of an audit-log write or rotation that failed after start. */
  onAuditError?: (error: Error) => void;
  /** Told when the policy or credentials file changed and was taken, or could not be (the previous one stays). */
  onReload?: (message: string) => void;
}

export async function startEgress(config: EgressConfig, options: StartEgressOptions = {}): Promise<RunningEgress> {
  const say = options.onReload ?? (() => undefined);
  // Files are read before anything listens, so a bad file fails the start cleanly.
  const tlsFiles = config.tls ? await loadTlsFiles(config.tls) : undefined;
  const followed: Array<LiveFile<unknown>> = [];
  const follow = async <T>(path: string, what: string, read: (path: string) => Promise<T>, describe: (value: T) => string): Promise<() => T> => {
    const live = await openLiveFile(path, {
      read,
      onError: (error) => say(`the ${what} ${path} changed but cannot be used; the previous one stays: ${error.message}`),
      onChange: (value) => say(`the ${what} ${path} changed: ${describe(value)}`),
    });
    followed.push(live as LiveFile<unknown>);
    return () => live.current();
  };
  let policy: () => Policy;
  let inspect: InspectOptions | undefined;
  try {
    policy = await policyOf(config, follow);
    inspect = config.inspect ? await inspectOptions(config.inspect, follow) : undefined;
  } catch (error) {
    for (const live of followed) live.close();
    throw error;
  }
  const tlsServer: TlsHealthServer | undefined = tlsFiles ? createTlsHealthServer(tlsFiles) : undefined;
  const audit = await openAuditLog(config.auditLog, {
    rotation: config.audit,
    ...(options.onAuditError ? { onError: options.onAuditError } : {}),
  });
  const proxy = createProxyServer({ policy, limits: config.limits, audit, ...(inspect ? { inspect } : {}) });

  const close = async (): Promise<void> => {
    for (const live of followed) live.close();
    await Promise.all([proxy.close(), tlsServer?.close()]);
    await audit.close();
  };
  try {
    const proxyAddress = await proxy.listen(config.listen.host, config.listen.port);
    const tlsAddress = tlsServer && config.tls ? await tlsServer.listen(config.tls.host, config.tls.port) : undefined;
    return { proxy: proxyAddress, ...(tlsAddress ? { tls: tlsAddress } : {}), audit, policy, close };
  } catch (error) {
    await close();
    throw error;
  }
}

type Follow = <T>(path: string, what: string, read: (path: string) => Promise<T>, describe: (value: T) => string) => Promise<() => T>;

function policyOf(config: EgressConfig, follow: Follow): Promise<() => Policy> {
  const { policyFile } = config;
  if (policyFile === undefined) {
    const fixed: Policy = { allow: config.allow, hosts: config.hosts, deny: config.deny, denyHosts: [] };
    return Promise.resolve(() => fixed);
  }
  const canInspect = config.inspect !== undefined;
  return follow(policyFile, 'policy file', (path) => readPolicyFile(path, { canInspect }), describePolicy);
}

async function inspectOptions(config: InspectConfig, follow: Follow): Promise<InspectOptions> {
  const trust = await loadUpstreamTrust(config.upstreamCaFiles);
  const { credentialsFile } = config;
  const credentials: () => Credentials =
    credentialsFile === undefined
      ? () => NO_CREDENTIALS
      : await follow(credentialsFile, 'credentials file', readCredentialsFile, (value) => `${value.credentials.length} credential(s)`);
  return { leaves: createLeafStore(config.leafDir), trust, credentials, maxBodyBytes: config.maxBodyBytes };
}

/** One line: how many rules, which hosts are denied. */
export function describePolicy(policy: Policy): string {
  const inspected = policy.allow.filter((rule) => rule.inspect === true).length;
  const denied = policy.denyHosts.length > 0 ? `; denied hosts ${policy.denyHosts.join(', ')}` : '';
  return `${policy.allow.length} allow rule(s), ${inspected} inspected${denied}`;
}
