/**
 * The egress proxy: one node:http server that answers `GET /health` itself,
 * tunnels allowed CONNECTs, forwards allowed absolute-form HTTP requests, and
 * refuses the rest with 403 (not allowed) or 400 (malformed target). Each
 * decision goes to the audit sink as one entry, with the status sent. It does
 * not read config files, open the audit log or handle signals (main.ts does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AllowRule } from './allowlist.js';
import { isAllowed } from './allowlist.js';
import type { AuditSink, Decision } from './audit-log.js';
import type { Outcome } from './forward.js';
import { forwardHttp } from './forward.js';
import { answerOwnRequest } from './health.js';
import type { BoundAddress } from './listen.js';
import { closeServer, listen } from './listen.js';
import type { Reply } from './replies.js';
import { deniedReply, malformedReply, sendReply, writeRawReply } from './replies.js';
import { parseConnectTarget, parseHttpTarget } from './target.js';
import { openTunnel } from './tunnel.js';
import type { Target } from './target.js';

export interface ProxyServerOptions {
  readonly allow: readonly AllowRule[];
  readonly audit: AuditSink;
}

export interface ProxyServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<BoundAddress>;
  /** Stops accepting, cuts open tunnels and requests, and resolves when the server has stopped. */
  close(): Promise<void>;
}

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const { allow, audit } = options;
  const tunnels = new Set<Socket>();

  const record = (method: string, where: Target | string, decision: Decision, outcome: Outcome): void => {
    const { host, port } = typeof where === 'string' ? { host: where, port: null } : where;
    audit.record({ method, host, port, decision, status: outcome.status, ...(outcome.reason ? { reason: outcome.reason } : {}) });
  };
  const refusal = (method: string, where: Target | string, reply: Reply): void =>
    record(method, where, 'deny', { status: reply.status, reason: reply.reason });

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    if ((req.url ?? '').startsWith('/')) {
      answerOwnRequest(req, res);
      return;
    }
    const parsed = parseHttpTarget(req.url);
    if (!parsed.ok) {
      const reply = malformedReply(parsed.reason);
      sendReply(res, reply);
      refusal(method, req.url ?? '', reply);
      return;
    }
    const { target } = parsed;
    if (!isAllowed(allow, target.host, target.port)) {
      const reply = deniedReply(target);
      sendReply(res, reply);
      refusal(method, target, reply);
      return;
    }
    void forwardHttp(req, res, target).then((outcome) => record(method, target, 'allow', outcome));
  }

  function onConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // node:http hands CONNECT a net.Socket; the Duplex type is the event's general signature.
    const client = socket as Socket;
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    const parsed = parseConnectTarget(req.url);
    if (!parsed.ok) {
      const reply = malformedReply(parsed.reason);
      writeRawReply(client, reply);
      refusal('CONNECT', req.url ?? '', reply);
      return;
    }
    const { target } = parsed;
    if (!isAllowed(allow, target.host, target.port)) {
      const reply = deniedReply(target);
      writeRawReply(client, reply);
      refusal('CONNECT', target, reply);
      return;
    }
    void openTunnel(client, head, target).then((outcome) => record('CONNECT', target, 'allow', outcome));
  }

  const server = createServer(onRequest);
  server.on('connect', onConnect);

  return {
    server,
    listen: (host, port) => listen(server, host, port, 'egress proxy'),
    close: () =>
      closeServer(server, () => {
        server.closeAllConnections();
        for (const socket of tunnels) socket.destroy();
      }),
  };
}
