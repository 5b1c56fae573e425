/**
 * `egress` of a bottle: what the agent may reach through the egress proxy and
 * how the proxy treats it. Each `allow` entry is a host, `*.domain`, an IPv4
 * address or network, or an IPv6 one in brackets, with an optional port;
 * it is normalised to `{ host, port }` (host in lower case, IPv6 without
 * brackets, `port: null` meaning 80 and 443) and repeats are kept once. The
 * audit log, connection cap and idle timeout are checked here and defaulted in
 * normalize.ts. It resolves no names and enforces nothing; the egress daemon does.
 */
import * as z from 'zod';
import { DEFAULT_AUDIT_KEEP, DEFAULT_AUDIT_MAX_MIB, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS } from './defaults.js';
import { quote } from './describe.js';
import { optionalInt } from './int.js';
import { looksLikeIpv4, parseIpv4, parseIpv6, type AddressResult } from './ip.js';
import { MIB_PER_TIB, sizeSchema } from './size.js';
import { credentialSchema, ruleFieldsSchema, type SecretSource } from './inspect.js';
import { hostPathSchema } from './system-strings.js';

export interface EgressRule {
  /**
   * Lower-case hostname, `*.domain` (any subdomain of domain, not domain
   * itself), an IPv4 address or network (`10.0.0.0/8`), or a canonical IPv6
   * address or network (`fd00::1`, `fd00::/8`).
   */
  host: string;
  /** 1-65535, or null for the web ports 80 and 443. */
  port: number | null;
  /** TLS terminated at the proxy (a hostname only), so credentials and the rules below apply. */
  inspect?: true;
  /** Upper-case HTTP methods an inspected host takes; absent: all. */
  methods?: string[];
  /** Path patterns of an inspected host ("*" matches anything). */
  paths?: { allow?: string[]; deny?: string[] };
}

export interface Credential {
  /** The allow rule's host it goes to (that rule is inspected). */
  host: string;
  /** Lower case. */
  header: string;
  /** Put before the value: "Bearer " for the bearer form, else "". */
  prefix: string;
  from: SecretSource;
  /** Set to "bottle-placeholder" in the agent's environment. */
  placeholderEnv?: string;
}

export type EgressResult = { ok: true; rule: EgressRule } | { ok: false; problem: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const FORMS =
  'host[:port], *.domain[:port], IPv4[/prefix][:port] or [IPv6[/prefix]][:port] ' +
  '(e.g. "api.github.com", "*.npmjs.org:443", "10.0.0.0/8", "[fd00::1]:443")';
const NO_PATH = 'write the host alone, without a path, user or spaces';

type HostPort = { ok: true; host: string; port: number | null; bracketed: boolean } | { ok: false; problem: string };

/** `host[:port]` or `[address][:port]` taken apart; the port checked. */
function splitHostPort(text: string): HostPort {
  let host = text;
  let portText: string | undefined;
  const bracketed = text.startsWith('[');
  if (bracketed) {
    const close = text.indexOf(']');
    const rest = close === -1 ? '?' : text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) {
      return { ok: false, problem: 'write an IPv6 address or network as "[address]" or "[address]:port"' };
    }
    host = text.slice(1, close);
    portText = rest === '' ? undefined : rest.slice(1);
  } else if (text.includes(':')) {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    if (host.includes(':')) return { ok: false, problem: 'put an IPv6 address in brackets, e.g. "[fd00::1]" or "[fd00::1]:443"' };
    portText = text.slice(colon + 1);
  }
  if (portText === undefined) return { ok: true, host, port: null, bracketed };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, problem: `the port must be a number from 1 to 65535, got ${quote(portText)}` };
  return { ok: true, host, port, bracketed };
}

/** What is wrong with a hostname (without `*.`), or undefined. */
function hostnameProblem(domain: string): string | undefined {
  if (domain.includes('*')) return '"*" is allowed only as a leading "*." (e.g. "*.example.com")';
  if (domain === '') return 'the host is empty';
  if (domain.endsWith('.')) return 'drop the trailing "."';
  if (domain.includes('/')) return NO_PATH;
  if (domain.length > 253) return 'a hostname has at most 253 characters';
  const bad = domain.split('.').find((label) => !LABEL.test(label));
  if (bad === undefined) return undefined;
  return `${quote(bad)} is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)`;
}

/** The rule an entry stands for, or what is wrong with it. */
export function parseEgressEntry(entry: string): EgressResult {
  const problem = (why: string): EgressResult => ({ ok: false, problem: `expected ${FORMS}, got ${quote(entry)}: ${why}` });
  const text = entry.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) return problem('write the host alone, without a scheme such as "https://"');
  if (/[\s@?#]/.test(text)) return problem(NO_PATH);

  const wildcard = text.startsWith('*.');
  const split = splitHostPort(wildcard ? text.slice(2) : text);
  if (!split.ok) return problem(split.problem);
  const { host, port, bracketed } = split;

  const address: AddressResult | undefined = bracketed ? parseIpv6(host) : looksLikeIpv4(host) ? parseIpv4(host) : undefined;
  if (address !== undefined) {
    if (wildcard) return problem('"*." applies to domain names, not to IP addresses');
    return address.ok ? { ok: true, rule: { host: address.host, port } } : problem(address.problem);
  }
  const why = hostnameProblem(host);
  if (why !== undefined) return problem(why);
  return { ok: true, rule: { host: wildcard ? `*.${host}` : host, port } };
}

const entryTextSchema = z.string().transform((entry, ctx) => {
  const result = parseEgressEntry(entry);
  if (result.ok) return result.rule;
  ctx.addIssue({ code: 'custom', message: result.problem, input: entry });
  return z.NEVER;
});

const entrySchema = z.union([
  entryTextSchema,
  z
    .strictObject({ host: entryTextSchema.meta({ description: `The destination: ${FORMS}.` }), ...ruleFieldsSchema })
    .transform(({ host, inspect, methods, paths }, ctx): EgressRule => {
      const rule: EgressRule = { ...host, ...(inspect && { inspect: true as const }), ...(methods && { methods }), ...(paths && { paths }) };
      if ((methods || paths) && !inspect) ctx.addIssue({ code: 'custom', message: 'methods and paths apply to an inspected host: add "inspect": true', path: ['inspect'] });
      if (inspect && !isHostname(rule.host)) ctx.addIssue({ code: 'custom', message: `inspect needs a host name (the proxy's certificate names it), got ${quote(rule.host)}`, path: ['host'] });
      return rule;
    }),
]);

function isHostname(host: string): boolean {
  return !host.includes(':') && !host.includes('/') && !/^[\d.]+$/.test(host);
}

/** Keeps the first of entries that normalise to the same rule (`Example.com` and `example.com`). */
function dedupe(rules: EgressRule[]): EgressRule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = `${rule.host} ${rule.port ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const auditSchema = z
  .strictObject({
    maxSize: sizeSchema('Size past which the log is rotated', { min: 1, max: MIB_PER_TIB }, DEFAULT_AUDIT_MAX_MIB).optional(),
    keep: optionalInt(0, 10, 'Rotated logs kept:', DEFAULT_AUDIT_KEEP),
  })
  .meta({ description: 'The audit log of egress decisions (egress.jsonl): when it is rotated, how many old ones are kept.' });

export const egressSchema = z
  .strictObject({
    allow: z
      .array(entrySchema)
      .transform(dedupe)
      .optional()
      .meta({ description: `What the agent may reach: ${FORMS}; without a port, 80 and 443. None by default.` }),
    audit: auditSchema.optional(),
    maxConnections: optionalInt(1, 65536, 'Connections the egress proxy holds open at once for the bottle:', DEFAULT_MAX_CONNECTIONS),
    idleTimeout: optionalInt(1, 86400, 'Seconds a connection may sit idle before the egress proxy closes it:', DEFAULT_IDLE_TIMEOUT_S),
    credentials: z
      .array(credentialSchema)
      .max(50)
      .optional()
      .meta({ description: 'Headers the proxy sets on requests to an allowed host, values read on the host at up: the agent never holds them.' }),
    upstreamCa: hostPathSchema()
      .optional()
      .meta({ description: "A PEM file of more roots the proxy trusts for inspected hosts' certificates (a private upstream); relative to the manifest's directory." }),
  })
  .superRefine((egress, ctx) => {
    const seen = new Set<string>();
    (egress.credentials ?? []).forEach((c, i) => {
      const host = c.host.toLowerCase();
      const key = `${host} ${(c.header ?? 'authorization').toLowerCase()}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `a second credential for the same header of ${quote(c.host)}; keep one`, path: ['credentials', i] });
      seen.add(key);
      if (!(egress.allow ?? []).some((rule) => rule.host === host)) {
        ctx.addIssue({ code: 'custom', message: `${quote(c.host)} is not a host of egress.allow; add it there (the proxy inspects a host it sets credentials for)`, path: ['credentials', i, 'host'] });
      } else if (!isHostname(host)) {
        ctx.addIssue({ code: 'custom', message: `credentials need a host name (the proxy's certificate names it), got ${quote(c.host)}`, path: ['credentials', i, 'host'] });
      }
    });
  })
  .meta({ description: 'Outbound traffic; everything not allowed here is refused.' });
