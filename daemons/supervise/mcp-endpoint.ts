/**
 * The MCP endpoint (/mcp) on the SDK's web-standard Streamable HTTP transport.
 * A client that initializes gets a session of its own (a server and a
 * transport), so its cancellations reach its calls. A request that names no
 * session, or one this daemon does not know (it restarted, or the session was
 * closed for idling), is served without a session by a server made for that
 * request alone, not refused with 404: Claude Code does not start a new
 * session on 404, and a bundle restart must not cut the agent off. A call
 * whose client goes away before it is answered is cancelled, as if the
 * client had cancelled it. Sessions with no request open for `sessionIdleMs`
 * are closed, and at most `maxSessions` are kept (the least recently used
 * goes first). Request bodies are bounded. It does not know the tools
 * (tools.ts) nor listen (http-server.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { readBody, sendJsonRpcError, sendWebResponse, webRequest } from './http-bridge.js';
import { ensureWebCrypto } from './web-crypto.js';

export interface McpEndpoint {
  /** Serves one request to /mcp; resolves when its response has ended. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** How many sessions are open. */
  readonly sessions: number;
  /** Closes every session and every request's server: calls still running are cancelled. */
  close(): Promise<void>;
}

export interface McpEndpointOptions {
  maxBodyBytes?: number;
  sessionIdleMs?: number;
  maxSessions?: number;
  /** Told of a server that failed to close (nothing else is reported: client mistakes are answered, not logged). */
  onError?: (error: Error) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;
export const DEFAULT_MAX_SESSIONS = 64;

/** Only the path and scheme matter to the transport; the client's Host header is not trusted to make a URL. */
const ENDPOINT_URL = 'http://supervise.invalid/mcp';

interface Session {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** Requests of the session whose responses are still open (an event stream counts). */
  open: number;
  /** performance.now() when its last request ended: monotonic, and finer than a millisecond, so the least recently used is never a tie. */
  lastActive: number;
}

export function createMcpEndpoint(newServer: () => McpServer, options: McpEndpointOptions = {}): McpEndpoint {
  ensureWebCrypto();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const idleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const sessions = new Map<string, Session>();
  /** The servers made for one request each, until their response ends. */
  const single = new Set<McpServer>();

  const closeServer = (server: McpServer): void => {
    server.close().catch((error: unknown) => options.onError?.(error as Error));
  };

  const sweep = setInterval(() => {
    const now = performance.now();
    for (const session of sessions.values()) if (session.open === 0 && now - session.lastActive >= idleMs) closeServer(session.server);
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  /** Makes room for one more session: the least recently used goes, an idle one if there is one. */
  const evict = (): void => {
    const byAge = [...sessions.values()].sort((a, b) => Number(a.open > 0) - Number(b.open > 0) || a.lastActive - b.lastActive);
    const oldest = byAge[0];
    if (oldest) {
      sessions.delete(oldest.transport.sessionId ?? '');
      closeServer(oldest.server);
    }
  };

  const openSession = async (): Promise<Session> => {
    if (sessions.size >= maxSessions) evict();
    const server = newServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
    });
    const session: Session = { server, transport, open: 0, lastActive: performance.now() };
    // Kept by connect(): the SDK chains its own handler after it. A DELETE, an idle sweep or close() end here.
    transport.onclose = () => {
      if (transport.sessionId !== undefined && sessions.get(transport.sessionId) === session) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return session;
  };

  /** Hands the request to the session's transport; a call left unanswered when the client goes is cancelled. */
  const serve = async (session: Session, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    session.open += 1;
    const calls = requestIds(body);
    res.once('close', () => {
      session.open -= 1;
      session.lastActive = performance.now();
      if (res.writableFinished) return;
      for (const requestId of calls) {
        session.transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'the client went away' } });
      }
    });
    try {
      const response = await session.transport.handleRequest(webRequest(req, ENDPOINT_URL), body === undefined ? undefined : { parsedBody: body });
      await sendWebResponse(response, res);
    } finally {
      // An initialize that failed leaves a session nobody can name.
      if (session.transport.sessionId === undefined) closeServer(session.server);
    }
  };

  /** A server for this request alone; closing it when the response ends cancels whatever it still runs. */
  const serveOnce = async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const server = newServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    single.add(server);
    res.once('close', () => {
      single.delete(server);
      closeServer(server);
    });
    await sendWebResponse(await transport.handleRequest(webRequest(req, ENDPOINT_URL), { parsedBody: body }), res);
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? '';
    let body: unknown;
    if (method === 'POST') {
      const read = await readBody(req, maxBodyBytes);
      if (read.kind === 'aborted') return;
      if (read.kind === 'too-large') {
        const message = `Payload Too Large: the request body is over ${maxBodyBytes} bytes; send shorter texts`;
        return sendJsonRpcError(res, 413, -32000, message, { connection: 'close' });
      }
      try {
        body = JSON.parse(read.bytes.toString('utf8'));
      } catch {
        return sendJsonRpcError(res, 400, -32700, 'Parse error: the request body is not JSON');
      }
    }
    const sessionId = req.headers['mcp-session-id'];
    const session = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (session) return serve(session, req, res, body);
    if (method === 'POST' && isInitialize(body)) return serve(await openSession(), req, res, body);
    if (method === 'POST') return serveOnce(req, res, body);
    if (method === 'DELETE') {
      // The session is gone already: nothing is left to end.
      res.writeHead(200).end();
      return;
    }
    if (method === 'GET') {
      const message = 'Method Not Allowed: GET /mcp (an event stream) needs an open session; initialize one with POST /mcp';
      return sendJsonRpcError(res, 405, -32000, message, { allow: 'POST, DELETE' });
    }
    return sendJsonRpcError(res, 405, -32000, `Method Not Allowed: /mcp takes POST, GET and DELETE, not ${method.slice(0, 20)}`, { allow: 'GET, POST, DELETE' });
  };

  return {
    async handle(req, res) {
      try {
        await route(req, res);
      } catch (error) {
        if (res.headersSent) res.destroy();
        else sendJsonRpcError(res, 500, -32603, `Internal error: ${(error as Error).message}`);
      }
    },
    get sessions() {
      return sessions.size;
    },
    async close() {
      clearInterval(sweep);
      const servers = [...[...sessions.values()].map((session) => session.server), ...single];
      sessions.clear();
      single.clear();
      await Promise.allSettled(servers.map((server) => server.close()));
    },
  };
}

function isInitialize(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body);
}

/** The ids of the JSON-RPC requests in a POST body (none for notifications and responses). */
function requestIds(body: unknown): RequestId[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.filter((message) => isJSONRPCRequest(message)).map((message) => (message as { id: RequestId }).id);
}
