/**
 * `egress.allow` of a bottle: the hosts the agent may reach through the egress
 * proxy. Each entry is `host`, `host:port` or `*.domain[:port]`, normalised to
 * `{ host, port }` with the host in lower case and `port: null` meaning 80 and
 * 443. Repeated entries are kept once. It does not resolve names or enforce
 * anything; the egress daemon does.
 */
import * as z from 'zod';
import { quote } from './describe.js';

export interface EgressRule {
  /** Lower-case hostname, `*.domain` (any subdomain of domain, not domain itself) or an IPv4 address. */
  host: string;
  /** 1-65535, or null for the web ports 80 and 443. */
  port: number | null;
}

export type EgressResult = { ok: true; rule: EgressRule } | { ok: false; problem: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const FORMS = 'host, host:port or *.domain[:port] (e.g. "api.github.com", "*.npmjs.org:443")';

/** The rule an entry stands for, or what is wrong with it. */
export function parseEgressEntry(entry: string): EgressResult {
  const problem = (why: string): EgressResult => ({
    ok: false,
    problem: `expected ${FORMS}, got ${quote(entry)}: ${why}`,
  });
  const text = entry.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) return problem('write the host alone, without a scheme such as "https://"');
  if (/[/\s@?#]/.test(text)) return problem('write the host alone, without a path, user or spaces');

  const colon = text.lastIndexOf(':');
  const hostPart = colon === -1 ? text : text.slice(0, colon);
  let port: number | null = null;
  if (colon !== -1) {
    if (hostPart.includes(':')) return problem('IPv6 addresses are not supported; use a hostname');
    const portText = text.slice(colon + 1);
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) return problem(`the port must be a number from 1 to 65535, got ${quote(portText)}`);
  }

  const wildcard = hostPart.startsWith('*.');
  const domain = wildcard ? hostPart.slice(2) : hostPart;
  if (domain.includes('*')) return problem('"*" is allowed only as a leading "*." (e.g. "*.example.com")');
  if (domain === '') return problem('the host is empty');
  if (domain.endsWith('.')) return problem('drop the trailing "."');
  if (domain.length > 253) return problem('a hostname has at most 253 characters');

  const labels = domain.split('.');
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) {
    if (wildcard) return problem('"*." applies to domain names, not to IP addresses');
    const ipv4 = labels.length === 4 && labels.every((octet) => OCTET.test(octet) && Number(octet) <= 255);
    if (!ipv4) return problem('it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")');
  } else {
    const bad = labels.find((label) => !LABEL.test(label));
    if (bad !== undefined) {
      return problem(
        `${quote(bad)} is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)`,
      );
    }
  }
  return { ok: true, rule: { host: hostPart, port } };
}

const entrySchema = z.string().transform((entry, ctx) => {
  const result = parseEgressEntry(entry);
  if (result.ok) return result.rule;
  ctx.addIssue({ code: 'custom', message: result.problem, input: entry });
  return z.NEVER;
});

/** Keeps the first of entries that normalise to the same rule (`Example.com` and `example.com`). */
function dedupe(rules: EgressRule[]): EgressRule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = `${rule.host}:${rule.port ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const egressSchema = z
  .strictObject({
    allow: z
      .array(entrySchema)
      .transform(dedupe)
      .meta({ description: `Hosts the agent may reach: ${FORMS}; without a port, 80 and 443.` }),
  })
  .meta({ description: 'Outbound traffic; everything not allowed here is refused.' });
