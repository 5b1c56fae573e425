/**
 * Lookups that stand in for DNS, so no test sends a query anywhere: one that
 * answers from a table and records every name it was asked, and one that
 * holds its answer until the test releases it.
 */
import type { Lookup } from '../../../daemons/egress/resolve-target.js';

export interface FakeLookup {
  readonly lookup: Lookup;
  /** Every name looked up, in order. */
  readonly asked: string[];
}

/** Answers from `table`; a name not in it fails as getaddrinfo does. */
export function fakeLookup(table: Record<string, readonly string[]>): FakeLookup {
  const asked: string[] = [];
  const lookup: Lookup = async (host) => {
    asked.push(host);
    const found = Object.hasOwn(table, host) ? table[host] : undefined;
    if (found) return found;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  return { lookup, asked };
}

export interface HeldLookup {
  readonly lookup: Lookup;
  /** Resolves once the proxy has asked. */
  readonly asked: Promise<string>;
  /** Lets the lookup answer `addresses`. */
  release(addresses: readonly string[]): void;
}

export function heldLookup(): HeldLookup {
  let onAsked: (host: string) => void = () => undefined;
  let answer: (addresses: readonly string[]) => void = () => undefined;
  const asked = new Promise<string>((resolve) => (onAsked = resolve));
  const answered = new Promise<readonly string[]>((resolve) => (answer = resolve));
  return {
    lookup: (host) => {
      onAsked(host);
      return answered;
    },
    asked,
    release: (addresses) => answer(addresses),
  };
}
