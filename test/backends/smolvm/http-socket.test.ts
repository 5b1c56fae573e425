/**
 * `smolvm serve` listens on a unix socket by default; this proves the
 * transport reaches one (a server of this test's own, answering like smolvm).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpTransport } from '../../../lib/backends/smolvm/http.js';

let dir: string;
let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smolvm-sock-'));
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(req.url === '/api/v1/machines' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/api/v1/machines' ? '{"machines":[]}' : `{"error":"machine 'ghost' not found","code":"NOT_FOUND"}`);
  });
  await new Promise<void>((resolve) => server.listen(join(dir, 'smolvm.sock'), resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

it('talks to smolvm serve over unix:///path and a bare socket path', async () => {
  expect(await httpTransport({ url: `unix://${join(dir, 'smolvm.sock')}` }).list({})).toEqual([]);
  expect(await httpTransport({ url: join(dir, 'smolvm.sock') }).get('ghost', {})).toBeNull();
  expect(seen).toEqual(['GET /api/v1/machines', 'GET /api/v1/machines/ghost']);
});
