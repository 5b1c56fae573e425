/**
 * The gate's HTTP server: answers `GET /health` itself, refuses what is not
 * served (404, naming what is) and bodies announced too large (413), and
 * hands git's requests for the one repo to `git http-backend`
 * (http-backend.ts) with the environment of cgi-env.ts. Every request but
 * health checks is one audit entry, with the status sent and the bytes
 * each way. Closing drops open connections, which kills their git, and
 * waits for those to end. It does not read the config or open the audit log
 * (daemon.ts does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AuditLog, RequestEntry } from './audit-log.js';
import type { BackendSettings } from './cgi-env.js';
import { backendEnv } from './cgi-env.js';
import type { BackendOutcome } from './http-backend.js';
import { serveWithBackend } from './http-backend.js';
import type { BoundAddress } from '../common/listen.js';
import { closeServer, listen } from '../common/listen.js';
import type { Reply } from './replies.js';
import { healthReply, notServedReply, sendReply, tooLargeReply } from './replies.js';
import { routeOf } from './routes.js';

export interface GateServerOptions {
  readonly settings: BackendSettings;
  readonly audit: Pick<AuditLog, 'record'>;
}

export interface GateServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<BoundAddress>;
  /** Stops accepting, cuts open requests (killing their git) and resolves once they are over. */
  close(): Promise<void>;
}

export function createGateServer(options: GateServerOptions): GateServer {
  const { settings, audit } = options;
  const inFlight = new Set<Promise<unknown>>();

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '';
    const route = routeOf(method, url, settings.repo);
    const entry = { kind: 'request', method, path: url, ...(req.socket.remoteAddress ? { remote: req.socket.remoteAddress } : {}) } as const;
    const answer = (reply: Reply, service: RequestEntry['service']): void => {
      sendReply(res, reply, method);
      req.resume();
      audit.record({ ...entry, service, status: reply.status, bytesIn: 0, bytesOut: 0, ...(reply.reason ? { reason: reply.reason } : {}) });
    };

    if (route.kind === 'health') return sendReply(res, healthReply(), method);
    if (route.kind === 'not-served') return answer(notServedReply(method, url, settings.repo), null);
    const announced = Number(req.headers['content-length'] ?? 0);
    if (announced > settings.maxPushBytes) return answer(tooLargeReply(settings.maxPushBytes), route.service);

    const env = backendEnv(settings, { method, route, headers: req.headers, ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}) });
    const served = serveWithBackend(req, res, { env, cwd: settings.root, maxBodyBytes: settings.maxPushBytes }).then(
      (outcome: BackendOutcome) => audit.record({ ...entry, service: route.service, ...outcome }),
      (error: unknown) => {
        // A stream failed under the exchange: nothing sensible can still be sent.
        res.destroy();
        audit.record({ ...entry, service: route.service, status: 0, bytesIn: 0, bytesOut: 0, reason: `the exchange with git failed: ${String(error)}` });
      },
    );
    inFlight.add(served);
    void served.finally(() => inFlight.delete(served));
  }

  const server = createServer(onRequest);
  return {
    server,
    listen: (host, port) => listen(server, host, port, 'git gate'),
    async close() {
      await closeServer(server, () => server.closeAllConnections());
      await Promise.allSettled([...inFlight]);
    },
  };
}
