/**
 * The proxy's own answers (403, 400, 502): their status, one-line plain-text
 * body and audit reason, and how each is sent, either on an HTTP response or
 * written raw on a CONNECT socket. Each body says what to do about it where
 * the agent can do something. It does not decide which answer applies.
 */
import type { ServerResponse } from 'node:http';
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
}

const PREFIX = 'bot-bottle egress:';

export function deniedReply(target: Target): Reply {
  const text = `${PREFIX} ${authorityOf(target)} is not on this bottle's allowlist`;
  return { status: 403, text, reason: 'not on the allowlist' };
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
  const reason = oneLine(error.message || (error as Error & { code?: string }).code || 'connection failed');
  return { status: 502, text: `${PREFIX} cannot reach ${authorityOf(target)}: ${reason}`, reason };
}

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
