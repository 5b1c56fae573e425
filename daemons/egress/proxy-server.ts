/**
 * The egress proxy: one node:http server that answers `GET /health` itself,
 * tunnels admitted CONNECTs (blindly, or, for a host an `inspect` rule
 * matches, through inspect-tunnel.ts), forwards admitted absolute-form HTTP
 * requests, and refuses the rest: 403 (not allowed, denied, a private
 * address, plain http to an inspected host), 400 (malformed target or body
 * framing), 502 (cannot be reached, no leaf certificate). Each decision goes
 * to the audit sink as one entry, with the status sent. The policy is asked
 * afresh for each connection and request, so a reloaded one applies to what
 * comes next and leaves open tunnels as they are. It enforces the limits: at
 * most `maxConnections` client connections (tunnels included; node drops the
 * ones beyond without a word, before reading them), each cut after
 * `idleTimeoutMs` of silence. It does not read config or policy files, open
 * the audit log or handle signals (daemon.ts and main.ts do).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { createAddressPolicy } from './address-policy.js';
import type { AdmitOptions } from './admit-target.js';
import { admitTarget, nameRefusal } from './admit-target.js';
import type { AllowRule } from './allowlist.js';
import { inspectRules } from './allowlist.js';
import type { AuditSink, Decision } from './audit-log.js';
import { framingProblem } from './body-framing.js';
import type { LimitsConfig } from './config.js';
import type { Credentials } from './credentials.js';
import type { Outcome } from './forward.js';
import { forwardHttp } from './forward.js';
import { answerOwnRequest } from './health.js';
import { createIdleWatch } from './idle-watch.js';
import { openInspectedTunnel } from './inspect-tunnel.js';
import type { LeafStore } from './leaf-store.js';
import type { BoundAddress } from '../common/listen.js';
import { closeServer, listen } from '../common/listen.js';
import type { Reply } from './replies.js';
import type { Policy } from './policy.js';
import { inspectedOverHttpReply, malformedReply, noLeafReply, sendReply, writeRawReply } from './replies.js';
import type { Lookup } from './resolve-target.js';
import { createResolver } from './resolve-target.js';
import type { Target } from './target.js';
import { parseConnectTarget, parseHttpTarget } from './target.js';
import { openTunnel } from './tunnel.js';

export interface InspectOptions {
  readonly leaves: LeafStore;
  /** The credentials as they are now. */
  readonly credentials: () => Credentials;
  /** What upstream certificates are verified against (upstream-trust.ts). */
  readonly trust: SecureContext;
  readonly maxBodyBytes: number;
}

export interface ProxyServerOptions {
  /** The policy as it is now; asked for each connection and request. */
  readonly policy: () => Policy;
  readonly audit: AuditSink;
  readonly limits: LimitsConfig;
  /** Replaces the DNS lookup (tests). */
  readonly lookup?: Lookup;
  /** Needed by any rule that inspects; without it, a CONNECT to such a host is refused. */
  readonly inspect?: InspectOptions;
}

export interface ProxyServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<BoundAddress>;
  /** Stops accepting, cuts open tunnels and requests, and resolves when the server has stopped. */
  close(): Promise<void>;
}

type Send = (reply: Reply) => void;

export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const { audit, limits, inspect } = options;
  const tunnels = new Set<Socket>();
  const idle = createIdleWatch(limits.idleTimeoutMs);
  // A policy is compiled (resolver, address policy) once, when it is first seen.
  const compiled = new WeakMap<Policy, AdmitOptions>();
  const admission = (): AdmitOptions => {
    const policy = options.policy();
    let ready = compiled.get(policy);
    if (!ready) {
      const resolve = createResolver({ hosts: policy.hosts, ...(options.lookup ? { lookup: options.lookup } : {}) });
      ready = { allow: policy.allow, denyHosts: policy.denyHosts, resolve, policy: createAddressPolicy(policy.deny) };
      compiled.set(policy, ready);
    }
    return ready;
  };

  const record = (method: string, where: Target | string, decision: Decision, outcome: Outcome & Pick<Reply, 'rule'>, address?: string): void => {
    const { host, port } = typeof where === 'string' ? { host: where, port: null } : where;
    audit.record({
      method, host, port, decision: outcome.decision ?? decision, status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.rule ? { rule: outcome.rule } : {}),
      ...(address ? { address } : {}),
      ...(outcome.inspect ? { inspect: true } : {}),
    });
  };
  const refuse = (method: string, where: Target | string, send: Send, reply: Reply): void => {
    send(reply);
    record(method, where, 'deny', reply);
  };
  /** Admits the target and goes to its address, or sends the refusal; audits either way. */
  const proceed = (method: string, target: Target, admitting: AdmitOptions, send: Send, go: (address: string) => Promise<Outcome>): void => {
    void admitTarget(target, admitting).then(async (admitted) => {
      if (admitted.ok) {
        record(method, target, 'allow', await go(admitted.address), admitted.address);
        return;
      }
      send(admitted.reply);
      record(method, target, admitted.decision, admitted.reply);
    });
  };

  /** A tunnel to an inspected host: its leaf first (a 502 without one), then TLS terminated here. */
  const inspectTunnel = async (client: Socket, head: Buffer, target: Target, rules: readonly AllowRule[], send: Send): Promise<Outcome> => {
    const leaf = inspect
      ? await inspect.leaves.leafFor(target.host, rules.map((rule) => rule.host))
      : ({ ok: false, reason: 'the egress config has no inspect section' } as const);
    if (!leaf.ok || !inspect) {
      const reply = noLeafReply(target, leaf.ok ? 'the egress config has no inspect section' : leaf.reason);
      send(reply);
      return { status: reply.status, reason: reply.reason };
    }
    const { credentials, trust, maxBodyBytes } = inspect;
    return openInspectedTunnel(client, head, target, { leaf: leaf.context, trust, credentials, maxBodyBytes, audit, admission });
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
    const admitting = admission();
    // Its rules and credentials apply to requests seen in TLS only.
    if (inspectRules(admitting.allow, target.host, target.port).length > 0 && !nameRefusal(target, admitting)) {
      return refuse(method, target, send, inspectedOverHttpReply(target));
    }
    proceed(method, target, admitting, send, (address) => forwardHttp(req, res, target, address));
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
    const admitting = admission();
    const rules = inspectRules(admitting.allow, target.host, target.port);
    proceed('CONNECT', target, admitting, send, (address) =>
      rules.length > 0 ? inspectTunnel(client, head, target, rules, send) : openTunnel(client, head, target, address),
    );
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
