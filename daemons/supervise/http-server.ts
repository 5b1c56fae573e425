/**
 * The daemon's HTTP server: `/mcp` goes to the MCP endpoint, `GET /health`
 * answers 200 `{"status":"ok","daemon":"supervise"}`, anything else is a 404
 * naming what is served. It does not listen (daemon.ts) nor speak MCP
 * (mcp-endpoint.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { McpEndpoint } from './mcp-endpoint.js';

export const MCP_PATH = '/mcp';
export const HEALTH_BODY = JSON.stringify({ status: 'ok', daemon: 'supervise' });

export function createSuperviseHttpServer(endpoint: McpEndpoint): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === MCP_PATH) void endpoint.handle(req, res);
    else if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) sendHealth(req, res);
    else sendNotServed(req, res);
  });
}

function sendHealth(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(HEALTH_BODY) });
  res.end(req.method === 'HEAD' ? undefined : HEALTH_BODY);
}

function sendNotServed(req: IncomingMessage, res: ServerResponse): void {
  const what = `${req.method ?? ''} ${(req.url ?? '').slice(0, 200)}`;
  const text = `bot-bottle supervise: ${what} is not served here; the MCP endpoint is ${MCP_PATH} (POST, GET, DELETE) and the health check is GET /health\n`;
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
