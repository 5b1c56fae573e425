/**
 * Calls to the Docker Engine API (dockerode over the endpoint endpoint.ts
 * picks, one client per engine: engine-scope.ts, whose `docker()` and
 * `withEngine` are re-exported here, so no call spawns a process and a
 * call site never carries a client). `call` sends a call again while its
 * failure may pass (retry.ts: busy, dropped, an engine restarting, judged
 * by what that call's engine did before) and `dockerError` turns what
 * failed in the end into a TaskError that names the operation and the
 * engine and says what to do, transient when a later attempt may pass
 * (failures.ts says which). It knows nothing of bottles.
 */
import { TaskError } from '../engine/index.js';
import { engine, engineNamed } from './engine-scope.js';
import { failureOf, saidBy, socketCodeOf, statusOf } from './failures.js';
import { withRetries, type Resend } from './retry.js';

export { bindEngine, docker, engine, withEngine } from './engine-scope.js';

/**
 * dockerode's option for the signal, a new object each call: dockerode
 * deletes `abortSignal` from the options it is given, so an object kept for
 * a second send (a retry) would go without it.
 */
export function abortOn(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

export { isNotFound, saidBy, statusOf } from './failures.js';

/** A failed call as a TaskError that names it (and the engine of this scope) and says what to do; transient where sending it again may pass (failures.ts). */
export function dockerError(what: string, error: unknown): TaskError {
  if (error instanceof TaskError) return error;
  const named = engineNamed();
  const where = named?.where ?? 'Docker';
  // Another engine than the process's came from where a caller described it (a manifest's host): that is what to correct.
  const pointAt = named?.processDefault === false ? `or correct ${named.source}` : 'or point DOCKER_HOST or the Docker context at a running one';
  const failure = failureOf(error);
  const code = socketCodeOf(error);
  switch (failure) {
    case 'cancelled':
      return new TaskError(`${what} was cancelled`, { code: 'CANCELLED', cause: error });
    case 'unreachable':
      return new TaskError(`cannot reach the Docker Engine at ${where}: ${code}; start Docker, ${pointAt}`, {
        code: 'DOCKER_UNAVAILABLE',
        transient: true,
        cause: error,
      });
    case 'dropped':
      return new TaskError(`${what}: the Docker Engine at ${where} closed the connection before it answered (${code}); it may be restarting or overloaded: see \`docker info\`, then run again`, {
        code: 'DOCKER_DROPPED',
        transient: true,
        cause: error,
      });
    case 'busy':
      return new TaskError(`${what} failed: ${saidBy(error)} (HTTP ${statusOf(error)}: the Docker Engine could not do it now; retried)`, {
        code: 'DOCKER_BUSY',
        transient: true,
        cause: error,
      });
    case 'permanent':
      if (code === 'EACCES') {
        return new TaskError(`no permission to use the Docker Engine at ${where}; add your user to the docker group (and log in again), or use rootless Docker`, {
          code: 'DOCKER_DENIED',
          cause: error,
        });
      }
      return new TaskError(`${what} failed: ${saidBy(error)}`, { code: 'DOCKER_FAILED', cause: error });
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Whether the call may be sent twice (retry.ts); 'yes' unless its body is a stream or it runs a command. */
  resend?: Resend;
  /** Told of each retry (the task's log). */
  log?: (line: string) => void;
}

/**
 * Runs one API call, sent again while what failed may pass (retry.ts), its
 * failure as a TaskError. A caller that tells an answer apart (a 404, a 409)
 * reads it through the TaskError with `statusOf`/`isNotFound`.
 */
export async function call<T>(what: string, run: () => Promise<T>, options: CallOptions = {}): Promise<T> {
  const client = engine();
  const heard = (error: unknown) => {
    if (statusOf(error) !== undefined) client.answered = true;
    throw error;
  };
  try {
    return await withRetries(
      () =>
        run().then((value) => {
          client.answered = true;
          return value;
        }, heard),
      {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.resend ? { resend: options.resend } : {}),
        answeredBefore: () => client.answered,
        onRetry: ({ failure, attempt, delayMs, error }) => options.log?.(`${what}: ${failure} (${socketCodeOf(error) ?? `HTTP ${statusOf(error)} ${saidBy(error)}`}); send ${attempt} in ${delayMs} ms`),
      },
    );
  } catch (error) {
    throw dockerError(what, error);
  }
}

/**
 * A call made for its effect (start, remove, connect): an answer saying the
 * effect is there already (`already`) counts as done. So a retry after a
 * lost answer hears its own success as such, and removing what is gone
 * succeeds.
 */
export async function effect(what: string, run: () => Promise<unknown>, already: (error: unknown) => boolean, options: CallOptions = {}): Promise<void> {
  await call(
    what,
    () =>
      run().then(
        () => undefined,
        (error: unknown) => {
          if (already(error)) return undefined;
          throw error;
        },
      ),
    options,
  );
}
