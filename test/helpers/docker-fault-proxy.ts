/**
 * A Docker socket that fails the way a busy or restarting dockerd does, for
 * tests. It listens on a unix socket in a temp dir (point bottle at it with
 * `DOCKER_HOST`, `dockerHost`), forwards each Engine API request to the real
 * socket, and answers a seeded share of them itself instead:
 * - `500` `{"message":"context deadline exceeded"}`: a containerd call that
 *   timed out under load (moby maps DeadlineExceeded to 500);
 * - `503`: containerd unavailable (a gRPC Unavailable, as moby words it);
 * - `409`: the conflicts dockerd gives for a state that passes: "removal of
 *   container X is already in progress" (a DELETE of a container) and
 *   "Container X is restarting, wait until the container is running" (an exec
 *   create); only on those requests;
 * - `drop`: the connection closed before the request is forwarded;
 * - `lost-answer`: the request forwarded and done by dockerd, the connection
 *   closed when its answer comes: the client cannot know it was done.
 * `failNext` queues a given fault for the next matching requests, before the
 * random ones. Upgraded requests (a hijacked exec start or attach) are
 * tunnelled untouched: failing one halfway cannot be told from a command
 * that ended. `goDown` is a restart: every open connection dropped, new ones
 * refused (no socket file) for a while. It changes nothing in dockerd.
 */
import { Agent, createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from './seeded-random.js';

export type FaultKind = '500' | '503' | '409' | 'drop' | 'lost-answer';
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', '409', 'drop', 'lost-answer'];

export interface FaultProxyOptions {
  /** Share of requests failed, in [0, 1]. */
  rate?: number;
  seed?: number;
  kinds?: readonly FaultKind[];
  /** The real socket. */
  target?: string;
}

export interface FaultCounts {
  /** Requests seen (upgrades included). */
  requests: number;
  injected: Record<FaultKind, number>;
  /** Upgraded requests, tunnelled without faults. */
  tunnelled: number;
  /** Connections closed by `goDown`. */
  cut: number;
}

export interface SeenRequest {
  /** `METHOD /path`, without the API version and the query. */
  request: string;
  fault?: FaultKind;
}

export interface FaultProxy {
  readonly socketPath: string;
  /** `unix://<socketPath>`, for DOCKER_HOST. */
  readonly dockerHost: string;
  counts(): FaultCounts;
  /** Every request, in order, and the fault it got. */
  seen(): SeenRequest[];
  /** Faults injected, all kinds. */
  injectedTotal(): number;
  setRate(rate: number): void;
  /** The next `times` requests that `match` (method, path without the API version) get `kind`. */
  failNext(kind: FaultKind, match: (method: string, path: string) => boolean, times?: number): void;
  /** Drops every connection and refuses new ones for `ms`; resolves once it listens again. */
  goDown(ms: number): Promise<void>;
  close(): Promise<void>;
}

const BUSY_500 = 'context deadline exceeded';
const BUSY_503 = 'connection error: desc = "transport: Error while dialing: dial unix:///run/containerd/containerd.sock: timeout": unavailable';

/** The 409 dockerd gives for this request while a state passes, or undefined where it gives none. */
function passingConflict(method: string, path: string): string | undefined {
  const removal = method === 'DELETE' ? /^\/containers\/([^/?]+)(\?|$)/.exec(path) : null;
  if (removal) return `removal of container ${decodeURIComponent(removal[1]!)} is already in progress`;
  const exec = method === 'POST' ? /^\/containers\/([^/?]+)\/exec(\?|$)/.exec(path) : null;
  if (exec) return `Container ${decodeURIComponent(exec[1]!)} is restarting, wait until the container is running`;
  return undefined;
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const target = options.target ?? '/var/run/docker.sock';
  const kinds = options.kinds ?? FAULT_KINDS;
  const random = seededRandom(options.seed ?? 1);
  let rate = options.rate ?? 0;
  const dir = await mkdtemp(join(tmpdir(), 'bottle-fault-proxy-'));
  const socketPath = join(dir, 'docker.sock');
  const agent = new Agent({ keepAlive: true });
  const open = new Set<Socket>();
  const queued: { kind: FaultKind; match: (method: string, path: string) => boolean; left: number }[] = [];
  const seen: SeenRequest[] = [];
  const counts: FaultCounts = { requests: 0, injected: { '500': 0, '503': 0, '409': 0, drop: 0, 'lost-answer': 0 }, tunnelled: 0, cut: 0 };

  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
  };

  function pick(method: string, path: string): FaultKind | undefined {
    const rule = queued.find((r) => r.left > 0 && r.match(method, path));
    if (rule) {
      rule.left--;
      return rule.kind;
    }
    if (rate <= 0 || random() >= rate) return undefined;
    const fits = kinds.filter((k) => k !== '409' || passingConflict(method, path) !== undefined);
    return fits.length > 0 ? fits[Math.floor(random() * fits.length)] : undefined;
  }

  function answer(res: ServerResponse, status: number, message: string) {
    const body = JSON.stringify({ message });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function pass(req: IncomingMessage, res: ServerResponse, loseAnswer: boolean) {
    const upstream = forward({ socketPath: target, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
      if (loseAnswer) {
        upRes.destroy();
        req.socket.destroy();
        return;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      // At once, as dockerd does: a client may wait for the headers of an answer whose body comes later (wait, logs -f).
      res.flushHeaders();
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    // The client gone (a follow aborted, a goDown): so is the upstream call.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    counts.requests++;
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').replace(/^\/v\d+\.\d+/, '');
    const fault = pick(method, path);
    seen.push({ request: `${method} ${path.replace(/\?.*$/, '')}`, ...(fault ? { fault } : {}) });
    if (fault) counts.injected[fault]++;
    switch (fault) {
      case undefined:
        return pass(req, res, false);
      case 'lost-answer':
        return pass(req, res, true);
      case 'drop':
        return void req.socket.destroy();
      default: {
        // Read the request first, as dockerd does, so the client sees the answer, not a broken pipe.
        req.resume();
        req.on('end', () => {
          if (fault === '500') answer(res, 500, BUSY_500);
          else if (fault === '503') answer(res, 503, BUSY_503);
          else answer(res, 409, passingConflict(method, path)!);
        });
      }
    }
  });
  server.on('connection', track);
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    counts.requests++;
    counts.tunnelled++;
    seen.push({ request: `${req.method} ${(req.url ?? '/').replace(/^\/v\d+\.\d+/, '').replace(/\?.*$/, '')}` });
    const upstream = connect(target);
    track(upstream);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.on('connect', () => {
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  const listen = () => new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, () => (server.off('error', reject), resolve())));
  const stopListening = () => new Promise<void>((resolve) => server.close(() => resolve()));
  await listen();

  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    counts: () => structuredClone(counts),
    seen: () => [...seen],
    injectedTotal: () => Object.values(counts.injected).reduce((a, b) => a + b, 0),
    setRate(next) {
      rate = next;
    },
    failNext(kind, match, times = 1) {
      queued.push({ kind, match, left: times });
    },
    async goDown(ms) {
      const closed = stopListening();
      for (const socket of open) {
        counts.cut++;
        socket.destroy();
      }
      await closed;
      // A stopped dockerd leaves no socket file: a client gets ENOENT.
      await rm(socketPath, { force: true });
      await new Promise((r) => setTimeout(r, ms));
      await listen();
    },
    async close() {
      const closed = stopListening();
      for (const socket of open) socket.destroy();
      await closed;
      agent.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
