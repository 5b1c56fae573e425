/**
 * The proxy's own answers (403, 400, 413, 421, 502): their status, one-line
 * plain-text body and audit reason (and the policy field that decided, when
 * one did), and how each is sent, either on an HTTP response (HTTP/1.1 or,
 * in an inspected tunnel, HTTP/2) or written raw on a CONNECT socket. Each
 * body says what to do about it where the agent can do something. It does
 * not decide which answer applies.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressRefusal } from './address-policy.js';
import type { Target } from './target.js';
import { authorityOf } from './target.js';

export interface Reply {
  readonly status: number;
  /** The body, one line, no trailing newline. */
  readonly text: string;
  /** The same fact for the audit log. */
  readonly reason: string;
  /** The policy field that decided, for the audit log. */
  readonly rule?: string;
}

const PREFIX = 'bot-bottle egress:';

export function deniedReply(target: Target): Reply {
  const text = `${PREFIX} ${authorityOf(target)} is not on this bottle's allowlist`;
  return { status: 403, text, reason: 'not on the allowlist' };
}

/** The name is on `denyHosts` (`bottle deny`), whatever the allow rules say. */
export function deniedHostReply(target: Target): Reply {
  const text = `${PREFIX} ${target.host} is on this bottle's denied hosts (bottle deny)`;
  return { status: 403, text, reason: 'on the denied hosts', rule: 'denyHosts' };
}

/** A plain http:// request to a host whose rule inspects it: its rules and credentials apply over https only. */
export function inspectedOverHttpReply(target: Target): Reply {
  const reason = 'an inspected host is reached over https only';
  return { status: 403, text: `${PREFIX} ${authorityOf(target)}: ${reason}; use https:// (CONNECT)`, reason, rule: 'inspect' };
}

/** An inspected request refused by its method or path (request-rules.ts words `reason`). */
export function ruleReply(method: string, target: Target, rule: string, reason: string): Reply {
  return { status: 403, text: `${PREFIX} ${method} to ${authorityOf(target)} refused by the rule ${rule}: ${reason}`, reason, rule };
}

/** The request carries a secret (`what`: a pattern's name, or the injected credential) in `where`; never the secret. */
export function secretReply(target: Target, what: string, where: string): Reply {
  const reason = `${where} carries ${what}`;
  const advice = "remove it; this bottle's proxy adds the credentials an inspected host needs by itself";
  return { status: 403, text: `${PREFIX} request to ${authorityOf(target)} refused (secret-in-request): ${reason}; ${advice}`, reason, rule: 'secret-in-request' };
}

export function tooLargeReply(target: Target, maxBytes: number): Reply {
  const reason = `the request body is larger than ${maxBytes} bytes, the most an inspected request may carry`;
  return { status: 413, text: `${PREFIX} request to ${authorityOf(target)} refused: ${reason}`, reason, rule: 'maxBodyBytes' };
}

/** The request names another host than the tunnel's (a reused HTTP/2 connection): the client should open its own. */
export function misdirectedReply(target: Target, authority: string): Reply {
  const reason = `the request is for ${authority}, not ${target.host}`;
  return { status: 421, text: `${PREFIX} ${reason}; open a tunnel (CONNECT) to that host`, reason };
}

/** An inspected host with no usable leaf certificate: the tunnel cannot be served. */
export function noLeafReply(target: Target, reason: string): Reply {
  return { status: 502, text: `${PREFIX} cannot inspect ${authorityOf(target)}: ${reason}`, reason };
}

const REFUSED_KINDS: Record<AddressRefusal, string> = {
  private: 'a private address',
  denied: "an address on this bottle's deny list",
};

/** The target passed the allowlist by name, but every address it resolves to is refused. */
export function addressRefusedReply(target: Target, address: string, refusal: AddressRefusal): Reply {
  const reason = `resolves to ${address}, ${REFUSED_KINDS[refusal]}`;
  const advice = 'name that address (or a CIDR block containing it) in an allow rule to reach it';
  return { status: 403, text: `${PREFIX} ${authorityOf(target)} ${reason}; ${advice}`, reason };
}

export function malformedReply(reason: string): Reply {
  return { status: 400, text: `${PREFIX} ${reason}`, reason };
}

export function unreachableReply(target: Target, error: Error): Reply {
  const code = (error as NodeJS.ErrnoException).code;
  const message = oneLine(error.message || code || 'connection failed');
  // A certificate the proxy cannot verify: said as such, with the code node gave.
  const reason = code && CERTIFICATE_CODE.test(code) ? `the upstream's TLS certificate is not trusted: ${message} (${code})` : message;
  return { status: 502, text: `${PREFIX} cannot reach ${authorityOf(target)}: ${reason}`, reason };
}

const CERTIFICATE_CODE = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|ALTNAME/;

/** The upstream answered with a status that cannot be relayed as a final answer (not 200-599). */
export function invalidStatusReply(target: Target, status: number): Reply {
  const reason = `upstream answered an invalid status ${status}`;
  return { status: 502, text: `${PREFIX} ${authorityOf(target)}: ${reason}; only final statuses 200-599 are relayed`, reason };
}

const LINGER_MS = 10_000;

const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8', connection: 'close' } as const;

/** Sends a reply as a complete HTTP response and closes the connection after it. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...TEXT_HEADERS, 'content-length': Buffer.byteLength(reply.text) });
  res.end(reply.text);
}

/** What replyOn needs of a response; node:http's and node:http2's compatibility response are both one. */
export interface ReplyResponse {
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  end(text: string): unknown;
}

/**
 * Sends a reply on a response of an inspected tunnel. HTTP/2 has no
 * Connection header: `close` (HTTP/1.1 only) ends the connection after it,
 * for a request whose body was left unread.
 */
export function replyOn(res: ReplyResponse, reply: Reply, close: boolean): void {
  const headers: OutgoingHttpHeaders = { 'content-type': TEXT_HEADERS['content-type'], 'content-length': Buffer.byteLength(reply.text) };
  res.writeHead(reply.status, close ? { ...headers, connection: 'close' } : headers);
  res.end(reply.text);
}

/**
 * Writes a reply on a raw socket (a CONNECT that gets no tunnel) and ends it.
 * What the client sends afterwards is read and dropped, so closing does not
 * reset the connection before the client has read the reply; a client that
 * never closes its side is cut off after `LINGER_MS` of silence.
 */
export function writeRawReply(socket: Socket, reply: Reply): void {
  const head = [
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}`,
    `Content-Type: ${TEXT_HEADERS['content-type']}`,
    `Content-Length: ${Buffer.byteLength(reply.text)}`,
    'Connection: close',
  ];
  socket.on('error', () => socket.destroy());
  socket.setTimeout(LINGER_MS, () => socket.destroy());
  socket.resume();
  socket.end(`${head.join('\r\n')}\r\n\r\n${reply.text}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
