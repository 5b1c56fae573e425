/**
 * Decides whether a parsed target may be reached, and at which address. In
 * order: the name must not be on `denyHosts` and must be on the allowlist (a
 * refused name is never resolved),
 * then it is resolved (resolve-target.ts), then each address is judged
 * (address-policy.ts): a private or denied address passes only when an allow
 * rule names that IP, or a block containing it, on the target's port. The
 * first address that passes is the one to connect to, literally, so nothing
 * is looked up twice. It does not connect, answer the client or audit.
 */
import type { AddressPolicy } from './address-policy.js';
import type { AllowRule } from './allowlist.js';
import { isAllowed } from './allowlist.js';
import type { Decision } from './audit-log.js';
import type { Reply } from './replies.js';
import { isDeniedHost } from './policy.js';
import { addressRefusedReply, deniedHostReply, deniedReply, unreachableReply } from './replies.js';
import type { Resolve } from './resolve-target.js';
import type { Target } from './target.js';

export interface AdmitOptions {
  readonly allow: readonly AllowRule[];
  /** Names refused whatever the allow rules say (policy.ts). */
  readonly denyHosts?: readonly string[];
  readonly resolve: Resolve;
  readonly policy: AddressPolicy;
}

export type Admission =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly decision: Decision; readonly reply: Reply };

export async function admitTarget(target: Target, options: AdmitOptions): Promise<Admission> {
  const { allow, resolve, policy } = options;
  const refusal = nameRefusal(target, options);
  if (refusal) return { ok: false, decision: 'deny', reply: refusal };

  let addresses: readonly string[];
  try {
    addresses = await resolve(target.host);
  } catch (error) {
    // Allowed, but the name does not resolve: a 502, as an unreachable upstream.
    return { ok: false, decision: 'allow', reply: unreachableReply(target, error as Error) };
  }
  const refusals = addresses.map((address) =>
    isAllowed(allow, address, target.port) ? undefined : policy.refusalOf(address),
  );
  const index = refusals.findIndex((refusal) => refusal === undefined);
  const address = addresses[index];
  if (address !== undefined) return { ok: true, address };

  const [first] = addresses;
  const [firstRefusal] = refusals;
  if (first === undefined || firstRefusal === undefined) {
    return { ok: false, decision: 'allow', reply: unreachableReply(target, new Error('the name resolves to no address')) };
  }
  return { ok: false, decision: 'deny', reply: addressRefusedReply(target, first, firstRefusal) };
}

/** The refusal of the name itself (denied host, not on the allowlist), before anything is resolved. */
export function nameRefusal(target: Target, options: Pick<AdmitOptions, 'allow' | 'denyHosts'>): Reply | undefined {
  if (isDeniedHost({ denyHosts: options.denyHosts ?? [] }, target.host)) return deniedHostReply(target);
  if (!isAllowed(options.allow, target.host, target.port)) return deniedReply(target);
  return undefined;
}
