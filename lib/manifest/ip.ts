/**
 * The IP forms of an egress entry: an IPv4 address or network (`10.0.0.1`,
 * `10.0.0.0/8`) and an IPv6 one (`fd00::1`, `fd00::/8`, written in brackets
 * in the manifest; egress.ts takes them off). A network must be written as its
 * network address, with no bits set past the prefix, so that what is written
 * is exactly what is allowed. IPv6 comes out in its canonical form (lower
 * case, zeros compressed), so one address is one rule. It knows nothing of
 * ports, brackets or hostnames.
 */
import { quote } from './describe.js';

export type AddressResult = { ok: true; host: string } | { ok: false; problem: string };

interface Family {
  bits: number;
  /** Bits in each part of an address: octets of 8, words of 16. */
  width: number;
  parts(text: string): number[] | undefined;
  format(parts: readonly number[]): string;
  invalid: string;
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

const IPV4: Family = {
  bits: 32,
  width: 8,
  parts: (text) => {
    const octets = text.split('.');
    return octets.length === 4 && octets.every((o) => OCTET.test(o) && Number(o) <= 255) ? octets.map(Number) : undefined;
  },
  format: (parts) => parts.join('.'),
  invalid: 'it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")',
};

/** The canonical text of an IPv6 address (WHATWG URL serialises it so), or undefined when it is none. */
function canonicalIpv6(text: string): string | undefined {
  if (!/^[0-9a-f:.]+$/.test(text)) return undefined; // nothing else may reach the URL parser
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

const IPV6: Family = {
  bits: 128,
  width: 16,
  parts: (text) => {
    // Canonical text has hex words only (no dotted tail) and at most one "::".
    const [head = '', tail] = canonicalIpv6(text)?.split('::') ?? [];
    if (head === '' && tail === undefined) return undefined;
    const words = (part: string) => (part === '' ? [] : part.split(':').map((word) => parseInt(word, 16)));
    const left = words(head);
    const right = tail === undefined ? [] : words(tail);
    return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  },
  format: (parts) => canonicalIpv6(parts.map((word) => word.toString(16)).join(':')) ?? '',
  invalid: 'it is not an IPv6 address (brackets hold an IPv6 address or network, e.g. "[fd00::1]" or "[fd00::/8]")',
};

/** `parts` with every bit past the first `prefix` cleared. */
function networkOf(parts: readonly number[], width: number, prefix: number): number[] {
  return parts.map((part, i) => {
    const kept = Math.min(width, Math.max(0, prefix - i * width));
    return part & (((1 << width) - 1) ^ ((1 << (width - kept)) - 1));
  });
}

function parseIp(text: string, family: Family): AddressResult {
  const slash = text.indexOf('/');
  const parts = family.parts(slash === -1 ? text : text.slice(0, slash));
  if (parts === undefined) return { ok: false, problem: family.invalid };
  const address = family.format(parts);
  if (slash === -1) return { ok: true, host: address };
  const prefixText = text.slice(slash + 1);
  const prefix = PREFIX.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix <= family.bits)) {
    return { ok: false, problem: `the prefix length must be a number from 0 to ${family.bits}, got ${quote(prefixText)}` };
  }
  const network = family.format(networkOf(parts, family.width, prefix));
  if (network !== address) {
    return {
      ok: false,
      problem: `${address} has bits set past the /${prefix} prefix; write the network, ${quote(`${network}/${prefix}`)}, or the address alone`,
    };
  }
  return { ok: true, host: `${address}/${prefix}` };
}

/** Whether `host` is meant as an IPv4 address or network: its last dot-separated part (before any "/") is a number. */
export function looksLikeIpv4(host: string): boolean {
  const address = host.split('/')[0] ?? '';
  return /^\d+$/.test(address.slice(address.lastIndexOf('.') + 1));
}

/** `10.0.0.1` or `10.0.0.0/8`. */
export function parseIpv4(text: string): AddressResult {
  return parseIp(text, IPV4);
}

/** `fd00::1` or `fd00::/8`, without brackets. */
export function parseIpv6(text: string): AddressResult {
  return parseIp(text, IPV6);
}
