/**
 * Where a proxied request wants to go: the `host:port` of a CONNECT, or the
 * URL of an absolute-form request (`GET http://host:port/path`). It parses
 * and checks syntax only; whether the target is allowed is allowlist.ts's
 * question. A malformed target comes back as a reason, not a throw.
 */
import { formatAuthority, isHostName, normalizeHost } from './host-name.js';

export interface Target {
  readonly host: string;
  readonly port: number;
}

export interface HttpTarget extends Target {
  /** Origin-form path and query, e.g. `/search?q=1`. */
  readonly path: string;
}

export type Parsed<T> = { readonly ok: true; readonly target: T } | { readonly ok: false; readonly reason: string };

const AUTHORITY = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/;

/** `api.example.com:443` or `[::1]:443`. */
export function parseConnectTarget(authority: string | undefined): Parsed<Target> {
  const match = AUTHORITY.exec(authority ?? '');
  const host = normalizeHost(match?.[1] ?? '');
  const port = Number(match?.[2]);
  if (!match || !isHostName(host) || !isPort(port)) {
    return { ok: false, reason: `malformed CONNECT target ${JSON.stringify(authority ?? '')}; expected host:port` };
  }
  return { ok: true, target: { host, port } };
}

/** `http://host[:port]/path?query`; only http (https goes through CONNECT). */
export function parseHttpTarget(url: string | undefined): Parsed<HttpTarget> {
  const malformed = (why: string): Parsed<HttpTarget> => ({
    ok: false,
    reason: `malformed request target ${JSON.stringify(url ?? '')}; ${why}`,
  });
  let parsed: URL;
  try {
    parsed = new URL(url ?? '');
  } catch {
    return malformed('expected an absolute http:// URL');
  }
  if (parsed.protocol !== 'http:') return malformed('only http:// is forwarded; use CONNECT for https');
  const host = normalizeHost(parsed.hostname);
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  if (!isHostName(host) || !isPort(port)) return malformed('expected an absolute http:// URL');
  return { ok: true, target: { host, port, path: `${parsed.pathname}${parsed.search}` } };
}

/** The `host:port` of a target, as messages and the Host header write it. */
export function authorityOf(target: Target): string {
  return formatAuthority(target.host, target.port);
}

/** The Host header for a target: the port is left out when it is 80. */
export function hostHeaderOf(target: Target): string {
  const authority = authorityOf(target);
  return target.port === 80 ? authority.slice(0, -':80'.length) : authority;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
