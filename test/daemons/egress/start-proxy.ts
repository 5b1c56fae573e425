/**
 * Starts the real proxy server on 127.0.0.1 port 0 with a real audit log in
 * a fresh temp dir (in a subdirectory that does not exist yet), and stops it
 * when the test ends. `stop` returns the audit log's lines, parsed (the raw
 * file stays at `auditPath` until the test ends). Options
 * not given take the config's defaults; `lookup` replaces DNS.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { AllowRule } from '../../../daemons/egress/allowlist.js';
import { openAuditLog } from '../../../daemons/egress/audit-log.js';
import { DEFAULT_LIMITS } from '../../../daemons/egress/config.js';
import type { Policy } from '../../../daemons/egress/policy.js';
import { createProxyServer } from '../../../daemons/egress/proxy-server.js';
import type { ProxyServer, ProxyServerOptions } from '../../../daemons/egress/proxy-server.js';
import { tempDir } from '../../state/temp-dir.js';

export interface AuditLine {
  ts: string;
  method: string;
  host: string;
  port: number | null;
  decision: 'allow' | 'deny';
  status: number;
  reason?: string;
  address?: string;
  inspect?: boolean;
  path?: string;
  rule?: string;
}

export interface StartedProxy {
  readonly port: number;
  readonly proxy: ProxyServer;
  readonly auditPath: string;
  /** Closes the proxy and its audit log; resolves with every audit line written. */
  stop(): Promise<AuditLine[]>;
}

/** The proxy's options but the policy and audit, and the policy's sections but `allow`. */
export type ProxyExtras = Partial<Omit<ProxyServerOptions, 'policy' | 'audit'>> & Partial<Omit<Policy, 'allow'>>;

export async function startProxy(allow: readonly AllowRule[], extras: ProxyExtras = {}): Promise<StartedProxy> {
  const auditPath = join(await tempDir(), 'log', 'egress.jsonl');
  const audit = await openAuditLog(auditPath);
  const { hosts = {}, deny = [], denyHosts = [], ...options } = extras;
  const policy: Policy = { allow, hosts, deny, denyHosts };
  const proxy = createProxyServer({ limits: DEFAULT_LIMITS, ...options, policy: () => policy, audit });
  const { port } = await proxy.listen('127.0.0.1', 0);
  const stop = async (): Promise<AuditLine[]> => {
    await proxy.close();
    await audit.close();
    const text = await readFile(auditPath, 'utf8');
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AuditLine);
  };
  onTestFinished(async () => void (await stop()));
  return { port, proxy, auditPath, stop };
}
