/**
 * smolvm serve's error replies as TaskErrors. Its handlers answer
 * `{"error": "...", "code": "..."}` [src/api/errors.rs]; the 300 s
 * TimeoutLayer answers 408 with no body [src/api/mod.rs], so a body that is
 * not that JSON falls back to the code its status stands for. Timeouts and an
 * unavailable server are worth a retry; a bad request, a missing machine or a
 * conflict are not.
 */
import { TaskError } from '../../engine/index.js';
import type { ApiReply } from './http-client.js';

const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  500: 'INTERNAL_ERROR',
  503: 'UNAVAILABLE',
};

const TRANSIENT = new Set(['TIMEOUT', 'UNAVAILABLE']);

export interface ApiErrorBody {
  error: string;
  code: string;
}

export function apiErrorBody(reply: ApiReply): ApiErrorBody {
  try {
    const json = JSON.parse(reply.body.toString('utf8')) as Partial<ApiErrorBody>;
    if (typeof json.error === 'string' && typeof json.code === 'string') return { error: json.error, code: json.code };
  } catch {
    // not JSON: the timeout layer, a proxy in between
  }
  const text = reply.body.toString('utf8').trim();
  return { error: text || `HTTP ${reply.status}`, code: CODE_OF_STATUS[reply.status] ?? `HTTP_${reply.status}` };
}

export function apiError(method: string, path: string, reply: ApiReply): TaskError {
  const { error, code } = apiErrorBody(reply);
  return new TaskError(`smolvm serve: ${method} ${path} failed (${reply.status} ${code}): ${error}`, {
    code: `SMOLVM_${code}`,
    transient: TRANSIENT.has(code),
  });
}
