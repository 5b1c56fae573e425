/**
 * Serves one git request through `git http-backend` (CGI, run with execa
 * and the environment cgi-env.ts built, nothing inherited): the request body
 * goes to its stdin (body-pump.ts, capped), its response head is parsed
 * (cgi-response.ts) and its body streamed back with backpressure. The
 * answer is held until the request body is whole, so a body found too large
 * halfway still gets a clean 413 (git writes its head before reading the
 * body; backend-answer.ts holds what it writes meanwhile). git is killed
 * when the client leaves. It does not route, audit or build the environment.
 */
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execa } from 'execa';
import { holdAnswer, readHead } from './backend-answer.js';
import type { Chunks } from './backend-answer.js';
import { pumpBody } from './body-pump.js';
import type { CgiHead } from './cgi-response.js';
import type { Reply } from './replies.js';
import { backendFailedReply, sendReply, tooLargeReply } from './replies.js';

export interface BackendOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Where git runs: the repo root. */
  readonly cwd: string;
  readonly maxBodyBytes: number;
}

export interface BackendOutcome {
  /** The status sent; 0 if the client left first. */
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly reason?: string;
}

export async function serveWithBackend(req: IncomingMessage, res: ServerResponse, options: BackendOptions): Promise<BackendOutcome> {
  const child = execa('git', ['http-backend'], {
    env: options.env,
    extendEnv: false,
    cwd: options.cwd,
    buffer: { stdout: false, stderr: true },
    reject: false,
    forceKillAfterDelay: 2000,
  });
  const stop = (): void => {
    if (child.exitCode === null) child.kill();
  };
  const stdout: Chunks = child.stdout[Symbol.asyncIterator]();
  /** Kills git and drops its unread output (which would keep it from being done), then waits for it. */
  const abandon = async (): Promise<Awaited<typeof child>> => {
    stop();
    await stdout.return?.();
    return child;
  };
  res.on('close', () => {
    if (!res.writableFinished) stop();
  });
  child.stdin.on('error', () => undefined); // git may stop reading early (a 404); body-pump reports it
  const body = pumpBody(req, child.stdin, options.maxBodyBytes);
  let bytesOut = 0;

  const reply = async (answer: Reply): Promise<BackendOutcome> => {
    const [, { bytes }] = await Promise.all([abandon(), body]);
    if (!res.headersSent && !res.destroyed) sendReply(res, answer, req.method ?? 'POST');
    return { status: res.headersSent ? answer.status : 0, bytesIn: bytes, bytesOut: 0, ...(answer.reason ? { reason: answer.reason } : {}) };
  };

  let head: CgiHead;
  let held: Buffer[];
  try {
    ({ head, held } = await readHead(stdout));
  } catch (error) {
    const result = await abandon();
    const detail = result.stderr.trim().split('\n')[0] || (error as Error).message;
    return reply(backendFailedReply(detail));
  }
  const waited = await holdAnswer(stdout, body, held);
  if (waited.body?.tooLarge) return reply(tooLargeReply(options.maxBodyBytes));
  if (res.destroyed) {
    const [, sent] = await Promise.all([abandon(), body]);
    return { status: 0, bytesIn: sent.bytes, bytesOut: 0, reason: 'the client left before the answer was sent' };
  }

  res.writeHead(head.status, head.headers.flat());
  const write = async (chunk: Buffer): Promise<boolean> => {
    if (res.destroyed) return false;
    bytesOut += chunk.length;
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    return !res.destroyed;
  };
  let going = true;
  for (const chunk of held) going = going && (await write(chunk));
  if (!waited.ended) {
    let next = await (waited.pending ?? stdout.next());
    while (going && !next.done) {
      going = await write(next.value);
      if (going) next = await stdout.next();
    }
  }
  const sent = await body;
  if (sent.tooLarge) {
    // Only when git said more than MAX_HELD_BYTES before the body ended: the answer has begun, cut it.
    res.destroy();
    await abandon();
    return { status: head.status, bytesIn: sent.bytes, bytesOut, reason: `request body over ${options.maxBodyBytes} bytes, cut mid-answer` };
  }
  res.end();
  const result = going ? await child : await abandon();
  const failed = result.exitCode !== 0 && !result.isTerminated ? { reason: `git http-backend exited ${result.exitCode}: ${result.stderr.trim().split('\n')[0] ?? ''}` } : {};
  const left = going ? {} : { reason: 'the client left before the answer was sent' };
  return { status: head.status, bytesIn: sent.bytes, bytesOut, ...failed, ...left };
}
