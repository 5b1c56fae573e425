/**
 * Decides whether a parsed target may be reached, and at which address. In
 * order: the name must be on the allowlist (a denied name is never resolved),
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
import { addressRefusedReply, deniedReply, unreachableReply } from './replies.js';
import type { Resolve } from './resolve-target.js';
import type { Target } from './target.js';

export interface AdmitOptions {
  readonly allow: readonly AllowRule[];
  readonly resolve: Resolve;
  readonly policy: AddressPolicy;
}

export type Admission =
  | { readonly ok: true; readonly address: string }
  | { readonly ok: false; readonly decision: Decision; readonly reply: Reply };

export async function admitTarget(target: Target, options: AdmitOptions): Promise<Admission> {
  const { allow, resolve, policy } = options;
  if (!isAllowed(allow, target.host, target.port)) return { ok: false, decision: 'deny', reply: deniedReply(target) };

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
  const [refusal] = refusals;
  if (first === undefined || refusal === undefined) {
    return { ok: false, decision: 'allow', reply: unreachableReply(target, new Error('the name resolves to no address')) };
  }
  return { ok: false, decision: 'deny', reply: addressRefusedReply(target, first, refusal) };
}
