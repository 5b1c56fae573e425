/**
 * The real egress proxy as the daemon starts it (daemon.ts), on 127.0.0.1
 * port 0, with a fixed policy: `inspected` on the upstream's port behind an
 * inspect rule, `tunnelled` on the same port behind a plain rule, both
 * pinned to 127.0.0.1 (with the rule that lets that private address
 * through), the upstream CA trusted, one credential to inject, the default
 * limits and body limit, and a real audit log in `dir`. It does not make
 * certificates or start the upstream.
 */
import { join } from 'node:path';
import type { AllowRule } from '../../daemons/egress/allowlist.js';
import { openAuditLog } from '../../daemons/egress/audit-log.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_BODY_BYTES } from '../../daemons/egress/config.js';
import type { Credential } from '../../daemons/egress/credentials.js';
import { createLeafStore } from '../../daemons/egress/leaf-store.js';
import type { Policy } from '../../daemons/egress/policy.js';
import { createProxyServer } from '../../daemons/egress/proxy-server.js';
import { loadUpstreamTrust } from '../../daemons/egress/upstream-trust.js';
import type { BenchPki } from './pki.js';

export interface ProxySetup {
  readonly dir: string;
  readonly pki: BenchPki;
  readonly upstreamPort: number;
  readonly inspected: string;
  readonly tunnelled: string;
  readonly credential: Credential;
}

export interface BenchProxy {
  readonly port: number;
  close(): Promise<void>;
}

const LOCAL = '127.0.0.1';

export async function startBenchProxy(setup: ProxySetup): Promise<BenchProxy> {
  const { upstreamPort: port } = setup;
  const allow: AllowRule[] = [
    { host: setup.inspected, port, inspect: true },
    { host: setup.tunnelled, port },
    { host: LOCAL, port },
  ];
  const policy: Policy = { allow, hosts: { [setup.inspected]: LOCAL, [setup.tunnelled]: LOCAL }, deny: [], denyHosts: [] };
  const trust = await loadUpstreamTrust([setup.pki.upstreamCa.certPath]);
  const credentials = { credentials: [setup.credential] };
  const inspect = { leaves: createLeafStore(setup.pki.leafDir), trust, credentials: () => credentials, maxBodyBytes: DEFAULT_MAX_BODY_BYTES };
  const audit = await openAuditLog(join(setup.dir, 'log', 'egress.jsonl'));
  const proxy = createProxyServer({ policy: () => policy, audit, limits: DEFAULT_LIMITS, inspect });
  const bound = await proxy.listen(LOCAL, 0);
  return {
    port: bound.port,
    close: async () => {
      await proxy.close();
      await audit.close();
    },
  };
}
