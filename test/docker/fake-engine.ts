/**
 * A fake Docker Engine on a unix socket, for tests of how bottle reads what
 * an engine says: each request gets the next of the answers queued for its
 * path (a status and dockerd's message, or the connection closed unanswered),
 * then 200 `{}`. It records the requests it saw. Real dockerode talks to it,
 * so the errors tests see have the shapes the real engine gives.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';

export type Answer = { status: number; message?: string; body?: unknown } | 'hang-up';

export interface FakeEngine {
  socketPath: string;
  /** `METHOD /path` of each request, version prefix and query removed. */
  seen: string[];
  /** Queues answers for requests to `path` (e.g. `GET /containers/json`). */
  answer(request: string, ...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startFakeEngine(): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'bottle-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const queues = new Map<string, Answer[]>();
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const key = `${req.method} ${(req.url ?? '/').replace(/^\/v\d+\.\d+/, '').replace(/\?.*$/, '')}`;
    seen.push(key);
    const next = queues.get(key)?.shift() ?? { status: 200, body: {} };
    req.resume();
    req.on('end', () => {
      if (next === 'hang-up') return void req.socket.destroy();
      const body = JSON.stringify(next.message !== undefined ? { message: next.message } : (next.body ?? {}));
      res.writeHead(next.status, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    seen,
    answer: (request, ...answers) => queues.set(request, [...(queues.get(request) ?? []), ...answers]),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
