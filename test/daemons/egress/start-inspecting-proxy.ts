/**
 * An inspecting proxy and the certificates it needs, for the tests of
 * inspected tunnels: the agent's CA with a leaf for each inspected name in a
 * leaf dir (what inspect.leafDir holds), an upstream CA the proxy trusts (as
 * inspect.upstreamCaFiles gives it) with a certificate it signed for
 * `api.test`, and the real proxy (start-proxy.ts) with the test names pinned
 * to 127.0.0.1. The test starts its own upstream and names its port in the
 * rules; it does not resolve anything or start upstreams itself.
 */
import type { AllowRule } from '../../../daemons/egress/allowlist.js';
import type { Credential } from '../../../daemons/egress/credentials.js';
import { createLeafStore } from '../../../daemons/egress/leaf-store.js';
import { loadUpstreamTrust } from '../../../daemons/egress/upstream-trust.js';
import { tempDir } from '../../state/temp-dir.js';
import type { KeyPair } from './make-pki.js';
import { issueCert, makeCa } from './make-pki.js';
import type { ProxyExtras, StartedProxy } from './start-proxy.js';
import { startProxy } from './start-proxy.js';

/** The inspected name the tests use; `OTHER` is a second one. */
export const API = 'api.test';
export const OTHER = 'other.test';
const LOCAL = '127.0.0.1';

export interface InspectPki {
  /** The bottle's CA: the agent trusts it, it signed the leaves. */
  readonly agentCa: KeyPair;
  readonly leafDir: string;
  /** The CA the proxy trusts for upstreams, and its certificate for `api.test`. */
  readonly upstreamCa: KeyPair;
  readonly upstreamCert: KeyPair;
}

/** Leaves for `leaves` (API by default) in a fresh leaf dir. */
export async function makeInspectPki(leaves: readonly string[] = [API]): Promise<InspectPki> {
  const [agentCa, upstreamCa, leafDir] = await Promise.all([makeCa('bottle test CA'), makeCa('upstream test CA'), tempDir()]);
  await Promise.all(leaves.map((name) => issueCert(agentCa, name, { dir: leafDir })));
  return { agentCa, leafDir, upstreamCa, upstreamCert: await issueCert(upstreamCa, API) };
}

/** An inspect rule for `host` on `port` (with `extra` fields), and the rule that lets the name's 127.0.0.1 through. */
export function inspected(port: number, extra: Partial<AllowRule> = {}, host = API): AllowRule[] {
  return [{ host, port, inspect: true, ...extra }, { host: LOCAL, port }];
}

export interface InspectingProxyOptions extends ProxyExtras {
  readonly pki: InspectPki;
  readonly credentials?: readonly Credential[];
  readonly maxBodyBytes?: number;
}

/** The proxy with its inspect options; API and OTHER resolve to 127.0.0.1 through `hosts`. */
export async function startInspectingProxy(allow: readonly AllowRule[], options: InspectingProxyOptions): Promise<StartedProxy> {
  const { pki, credentials = [], maxBodyBytes = 1024 * 1024, hosts = { [API]: LOCAL, [OTHER]: LOCAL }, ...extras } = options;
  const trust = await loadUpstreamTrust([pki.upstreamCa.certPath]);
  const inspect = { leaves: createLeafStore(pki.leafDir), trust, credentials: () => ({ credentials }), maxBodyBytes };
  return startProxy(allow, { ...extras, hosts, inspect });
}
