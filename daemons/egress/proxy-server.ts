/**
 * The egress proxy: one node:http server that answers `GET /health` itself,
 * tunnels admitted CONNECTs, forwards admitted absolute-form HTTP requests,
 * and refuses the rest: 403 (not allowed, or a private address), 400
 * (malformed target or body framing), 502 (cannot be reached). Each decision
 * goes to the audit sink as one entry, with the status sent. It enforces the
 * limits: at most `maxConnections` client connections (tunnels included; node
 * drops the ones beyond without a word, before reading them), each cut after
 * `idleTimeoutMs` of silence. It does not read config files, open the audit
 * log or handle signals (main.ts does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createAddressPolicy } from './address-policy.js';
import { admitTarget } from './admit-target.js';
import type { AllowRule } from './allowlist.js';
import type { AuditSink, Decision } from './audit-log.js';
import { framingProblem } from './body-framing.js';
import type { LimitsConfig } from './config.js';
import type { Outcome } from './forward.js';
import { forwardHttp } from './forward.js';
import { answerOwnRequest } from './health.js';
import { createIdleWatch } from './idle-watch.js';
import type { BoundAddress } from '../shared/listen.js';
import { closeServer, listen } from '../shared/listen.js';
import type { Reply } from './replies.js';
import { malformedReply, sendReply, writeRawReply } from './replies.js';
import type { Lookup } from './resolve-target.js';
import { createResolver } from './resolve-target.js';
import type { Target } from './target.js';
import { parseConnectTarget, parseHttpTarget } from './target.js';
import { openTunnel } from './tunnel.js';

export interface ProxyServerOptions {
  readonly allow: readonly AllowRule[];
  readonly audit: AuditSink;
  /** Fixed resolutions, name -> IP literal, checked before DNS. */
  readonly hosts: Readonly<Record<string, string>>;
  /** CIDR blocks refused like the private ones. */
  readonly deny: readonly string[];
  readonly limits: LimitsConfig;
  /** Replaces the DNS lookup (tests). */
  readonly lookup?: Lookup;
}

export interface ProxyServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<BoundAddress>;
  /** Stops accepting, cuts open tunnels and requests, and resolves when the server has stopped. */
  close(): Promise<void>;
}

type Send = (reply: Reply) => void;

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const { allow, audit, limits } = options;
  const resolve = createResolver({ hosts: options.hosts, ...(options.lookup ? { lookup: options.lookup } : {}) });
  const admission = { allow, resolve, policy: createAddressPolicy(options.deny) };
  const tunnels = new Set<Socket>();
  const idle = createIdleWatch(limits.idleTimeoutMs);

  const record = (method: string, where: Target | string, decision: Decision, outcome: Outcome, address?: string): void => {
    const { host, port } = typeof where === 'string' ? { host: where, port: null } : where;
    const reason = outcome.reason ? { reason: outcome.reason } : {};
    audit.record({ method, host, port, decision, status: outcome.status, ...reason, ...(address ? { address } : {}) });
  };
  const refuse = (method: string, where: Target | string, send: Send, reply: Reply): void => {
    send(reply);
    record(method, where, 'deny', reply);
  };
  /** Admits the target and goes to its address, or sends the refusal; audits either way. */
  const proceed = (method: string, target: Target, send: Send, go: (address: string) => Promise<Outcome>): void => {
    void admitTarget(target, admission).then(async (admitted) => {
      if (admitted.ok) {
        record(method, target, 'allow', await go(admitted.address), admitted.address);
        return;
      }
      send(admitted.reply);
      record(method, target, admitted.decision, admitted.reply);
    });
  };

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    if ((req.url ?? '').startsWith('/')) {
      answerOwnRequest(req, res);
      return;
    }
    const send: Send = (reply) => sendReply(res, reply);
    const parsed = parseHttpTarget(req.url);
    if (!parsed.ok) return refuse(method, req.url ?? '', send, malformedReply(parsed.reason));
    const { target } = parsed;
    const problem = framingProblem(req.rawHeaders);
    if (problem) return refuse(method, target, send, malformedReply(`malformed request body framing: ${problem}`));
    proceed(method, target, send, (address) => forwardHttp(req, res, target, address));
  }

  function onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // node:http hands CONNECT a net.Socket; the Duplex type is the event's general signature.
    const client = socket as Socket;
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    // node:http has let go of the socket: an error while the target resolves must not go unhandled.
    client.on('error', () => client.destroy());
    const send: Send = (reply) => writeRawReply(client, reply);
    const parsed = parseConnectTarget(req.url);
    if (!parsed.ok) return refuse('CONNECT', req.url ?? '', send, malformedReply(parsed.reason));
    const { target } = parsed;
    proceed('CONNECT', target, send, (address) => openTunnel(client, head, target, address));
  }

  const server = createServer(onRequest);
  server.maxConnections = limits.maxConnections;
  server.on('connection', (socket: Socket) => idle.watch(socket));
  server.on('connect', onConnect);

  return {
    server,
    listen: (host, port) => listen(server, host, port, 'egress proxy'),
    close: () =>
      closeServer(server, () => {
        idle.stop();
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
