/**
 * One HTTP request to `smolvm serve`, over its unix socket or TCP, with
 * node:http. A connection that fails (server down or restarting) is a
 * transient TaskError; an HTTP status is returned as is, for the caller to
 * read (http-errors.ts). It knows nothing of smolvm's routes.
 */
// The module object, read at call time: interceptors (nock in tests) patch its properties.
import http from 'node:http';
import type { Readable } from 'node:stream';
import { TaskError } from '../../engine/index.js';

export interface ApiTarget {
  /** Shown in messages. */
  url: string;
  socketPath?: string;
  host?: string;
  port?: number;
}

export interface ApiReply {
  status: number;
  body: Buffer;
}

export interface RequestBody {
  data: string | Buffer | Readable;
  contentType: string;
  length: number;
}

/** `unix:///run/smolvm.sock`, `/run/smolvm.sock` or `http://host:port` (smolvm serve's `-l` forms). */
export function parseApiUrl(url: string): ApiTarget {
  if (url.startsWith('unix://')) return { url, socketPath: url.slice('unix://'.length) };
  if (url.startsWith('/')) return { url, socketPath: url };
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed?.protocol === 'http:' && parsed.pathname.replace(/\/$/, '') === '') {
    return { url, host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 80) };
  }
  throw new TaskError(`BOTTLE_SMOLVM_URL is ${JSON.stringify(url)}; expected unix:///path/to/smolvm.sock, /path/to/smolvm.sock or http://host:port`, {
    code: 'BAD_SMOLVM_URL',
  });
}

export function send(target: ApiTarget, method: string, path: string, body: RequestBody | null, signal?: AbortSignal): Promise<ApiReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (body) Object.assign(headers, { 'content-type': body.contentType, 'content-length': body.length });
    const req = http.request(
      {
        method,
        path,
        headers,
        ...(target.socketPath ? { socketPath: target.socketPath, host: 'localhost' } : { host: target.host, port: target.port }),
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(unreachable(target, method, path, e)));
      },
    );
    req.on('error', (e) => reject(signal?.aborted ? signal.reason : unreachable(target, method, path, e)));
    if (!body) req.end();
    else if (typeof body.data === 'string' || Buffer.isBuffer(body.data)) req.end(body.data);
    else body.data.on('error', (e) => req.destroy(e)).pipe(req);
  });
}

function unreachable(target: ApiTarget, method: string, path: string, cause: Error): TaskError {
  return new TaskError(`smolvm serve at ${target.url} did not answer ${method} ${path}: ${cause.message}; is \`smolvm serve start\` running there?`, {
    code: 'SMOLVM_UNREACHABLE',
    transient: true,
    cause,
  });
}
