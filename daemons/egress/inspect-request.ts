/**
 * Serves one request that came over an inspected tunnel, HTTP/1.1 or
 * HTTP/2, judged against the policy as it is now (a reloaded policy applies
 * to the next request of an open tunnel). In order: the request must be for
 * the tunnel's host (421 otherwise), the name must still be allowed and not
 * denied (403), a matching inspect rule must allow the method and path
 * (request-rules.ts; 403 naming the rule), the body is read whole up to
 * `maxBodyBytes` (413), nothing in the path, headers or body may look like a
 * secret or carry an injected credential's value (request-secrets.ts; 403
 * `secret-in-request`), and the address must pass admit-target.ts. Then the
 * host's credentials replace whatever the agent sent in their headers, and
 * forward-https.ts sends it. Each request is one audit line: method, host,
 * port, path without its query (withheld when it carries a secret),
 * decision, status and the rule that decided; never a header's value. It
 * does not terminate TLS (inspect-tunnel.ts does).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { AdmitOptions } from './admit-target.js';
import { admitTarget, nameRefusal } from './admit-target.js';
import { inspectRules } from './allowlist.js';
import type { AuditEntry, AuditSink, Decision } from './audit-log.js';
import { framingProblem } from './body-framing.js';
import type { Credential, Credentials } from './credentials.js';
import { credentialsFor } from './credentials.js';
import type { Outcome } from './forward.js';
import { CLIENT_LEFT } from './forward.js';
import type { Downstream, UpstreamOptions } from './forward-https.js';
import { forwardHttps } from './forward-https.js';
import { endToEndHeaders } from './hop-headers.js';
import { normalizeHost } from './host-name.js';
import { withoutQuery } from './path-pattern.js';
import type { Reply } from './replies.js';
import { malformedReply, misdirectedReply, replyOn, ruleReply, secretReply, tooLargeReply } from './replies.js';
import { readBody } from './request-body.js';
import { ruleRefusal } from './request-rules.js';
import { credentialForms, findSecret } from './request-secrets.js';
import { BUILTIN_SECRET_PATTERNS } from '../common/secret-patterns.js';
import type { Target } from './target.js';
import { authorityOf } from './target.js';

export type InspectedRequest = IncomingMessage | Http2ServerRequest;

export interface InspectContext {
  /** The tunnel's host and port: every request of the tunnel goes there. */
  readonly target: Target;
  /** The policy as it is now, ready to admit targets. */
  readonly admission: () => AdmitOptions;
  readonly credentials: () => Credentials;
  readonly upstream: UpstreamOptions;
  readonly maxBodyBytes: number;
  readonly audit: AuditSink;
}

/** Not forwarded from the agent: the proxy sets Host and Content-Length itself, and has read the body already. */
const SET_BY_PROXY = ['host', 'content-length', 'expect', 'http2-settings'];
const BODY_METHODS = ['POST', 'PUT', 'PATCH'];
const WITHHELD = '(withheld: the path carries a secret)';

export async function serveInspected(req: InspectedRequest, res: Downstream, context: InspectContext): Promise<void> {
  const { target, audit } = context;
  const method = req.method ?? 'GET';
  const path = req.url ?? '';
  const http2 = req.httpVersionMajor === 2;
  const everyCredential = context.credentials().credentials;
  const auditedPath = carriesSecret(withoutQuery(path), everyCredential) ? WITHHELD : withoutQuery(path);
  // Errors of either side end that side; the outcome is what was sent.
  req.on('error', () => undefined);
  res.on('error', () => undefined);

  const record = (decision: Decision, outcome: Outcome & { readonly rule?: string }, address?: string): void => {
    const entry: AuditEntry = {
      method, host: target.host, port: target.port, path: auditedPath, decision, status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.rule ? { rule: outcome.rule } : {}),
      ...(address ? { address } : {}),
    };
    audit.record(entry);
  };
  /** `close`: the body was left unread, so an HTTP/1.1 connection ends after the reply. */
  const refuse = (reply: Reply, close = false, decision: Decision = 'deny'): void => {
    try {
      replyOn(res, reply, close && !http2);
    } catch {
      record(decision, { ...CLIENT_LEFT, ...(reply.rule ? { rule: reply.rule } : {}) });
      return;
    }
    record(decision, reply);
  };

  // Refused before its body is read: an HTTP/1.1 connection with a body still coming is closed after the reply.
  const pending = !http2 && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);
  // Quoted as audited (no query, withheld when it carries a secret): the reason goes to the audit log.
  if (!path.startsWith('/')) return refuse(malformedReply(`the request target ${JSON.stringify(auditedPath.slice(0, 100))} is not a path; send origin-form requests in the tunnel`), pending);
  const asked = authorityHost(http2 ? req.headers[':authority'] : req.headers.host);
  if (asked !== undefined && asked !== target.host) {
    // The reason goes to the audit log: a host name that carries a secret is not quoted.
    return refuse(misdirectedReply(target, carriesSecret(asked, everyCredential) ? '(a host withheld: it carries a secret)' : asked), pending);
  }

  const admission = context.admission();
  const named = nameRefusal(target, admission);
  if (named) return refuse(named, pending);
  const rules = inspectRules(admission.allow, target.host, target.port);
  const refusal = ruleRefusal(rules, method, path);
  if (refusal) return refuse(ruleReply(method, target, refusal.rule, refusal.reason), pending);
  const framing = http2 ? undefined : framingProblem(req.rawHeaders);
  if (framing) return refuse(malformedReply(`malformed request body framing: ${framing}`), true);

  const read = await readBody(req, context.maxBodyBytes);
  if (!read.ok) {
    if (read.why === 'too-large') return refuse(tooLargeReply(target, context.maxBodyBytes), true);
    return record('allow', CLIENT_LEFT);
  }
  // The host's credentials, only while a rule inspects it.
  const injected = rules.length > 0 ? credentialsFor(context.credentials(), target.host) : [];
  const headers = agentHeaders(req.rawHeaders, injected);
  const finding = await findSecret({ path, headers: headerPairs(headers), body: read.body }, everyCredential);
  if (finding) return refuse(secretReply(target, finding.what, finding.where));

  const admitted = await admitTarget(target, admission);
  if (!admitted.ok) return refuse(admitted.reply, false, admitted.decision);
  const { body } = read;
  const framed = body.length > 0 || BODY_METHODS.includes(method.toUpperCase()) || req.headers['content-length'] !== undefined;
  const outgoing: OutgoingHttpHeaders = {
    ...headers,
    host: target.port === 443 ? target.host : authorityOf(target),
    ...Object.fromEntries(injected.map((credential) => [credential.header, credential.value])),
    ...(framed ? { 'content-length': body.length } : {}),
  };
  const outcome = await forwardHttps({ target, address: admitted.address, method, path, headers: outgoing, body }, res, context.upstream);
  record('allow', outcome, admitted.address);
}

/** The agent's end-to-end headers, less HTTP/2's pseudo-headers, what the proxy sets, and the headers credentials replace. */
function agentHeaders(rawHeaders: readonly string[], injected: readonly Credential[]): OutgoingHttpHeaders {
  const replaced = new Set([...SET_BY_PROXY, ...injected.map((credential) => credential.header)]);
  const headers = endToEndHeaders(rawHeaders);
  for (const name of Object.keys(headers)) if (name.startsWith(':') || replaced.has(name)) delete headers[name];
  // HTTP/2 may split cookies over several fields; HTTP/1.1 has one (RFC 9113 8.2.3).
  const cookie = headers['cookie'];
  if (Array.isArray(cookie)) headers['cookie'] = cookie.join('; ');
  return headers;
}

function headerPairs(headers: OutgoingHttpHeaders): Array<readonly [string, string]> {
  return Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => [name, String(one)] as const));
}

/** The host of a Host header or `:authority`, normalised; undefined when there is none. */
function authorityHost(given: string | string[] | undefined): string | undefined {
  const authority = Array.isArray(given) ? given[0] : given;
  if (authority === undefined || authority === '') return undefined;
  try {
    return normalizeHost(new URL(`https://${authority}`).hostname);
  } catch {
    return authority; // not a host: it will not match the tunnel's
  }
}

/** Whether `text` holds a credential in any form findSecret looks for (percent-encoded too), or a built-in pattern's match. */
function carriesSecret(text: string, credentials: readonly Credential[]): boolean {
  const forms = credentials.flatMap(credentialForms);
  return forms.some((form) => text.includes(form)) || BUILTIN_SECRET_PATTERNS.some((pattern) => pattern.regex.test(text));
}
