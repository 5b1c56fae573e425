/**
 * A command in a running container through the Engine API: argv as an array
 * (never a shell string), env in the request body (never a process's env or
 * argv), stdin when given, stdout and stderr demultiplexed, and the command's
 * own exit code. Output is kept up to a cap per stream (a guest can print
 * without end). It does not judge the exit code; callers do.
 *
 * The Engine API cannot stop an exec: closing its stream leaves the command
 * running in the guest. So each command starts under a one-line `sh` that
 * says its pid (a first stderr line, taken out of the output) and then
 * becomes the command; a cancelled exec is ended by a second, detached exec,
 * as the same user, that sends TERM to the command's process group (an exec
 * is its own session), then KILL two seconds later. exec-stream.ts starts
 * and stops its long-running commands the same way, with these functions.
 */
import { PassThrough, Readable } from 'node:stream';
import { TaskError } from '../engine/index.js';
import { abortOn, bindEngine, call, docker, dockerError, type CallOptions } from './client.js';

export interface ExecRequest {
  user?: string;
  cwd?: string;
  env?: Record<string, string>;
  input?: string | Uint8Array | NodeJS.ReadableStream;
  signal?: AbortSignal;
  /** Each output line, as it comes. */
  log?: (line: string) => void;
}

export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Bytes kept of each stream; beyond, the rest is dropped and the text says so. */
export const OUTPUT_CAP = 4 * 1024 * 1024;

export async function execInContainer(container: string, argv: readonly string[], request: ExecRequest = {}): Promise<ExecOutcome> {
  const what = `docker exec ${container} ${argv[0] ?? ''}`.trim();
  const withInput = request.input !== undefined;
  const callOptions = { ...(request.signal ? { signal: request.signal } : {}), ...(request.log ? { log: request.log } : {}) };
  const exec = await call(what, () =>
    docker()
      .getContainer(container)
      .exec({
        Cmd: withPidMark(argv),
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: withInput,
        ...(request.user ? { User: request.user } : {}),
        ...(request.cwd ? { WorkingDir: request.cwd } : {}),
        ...(request.env ? { Env: Object.entries(request.env).map(([k, v]) => `${k}=${v}`) } : {}),
        ...abortOn(request.signal),
      }),
    callOptions,
  );
  // Sent twice, the command would run twice: only when the first send never reached Docker.
  const stream = await call(what, () => exec.start({ hijack: true, stdin: withInput, ...abortOn(request.signal) }), { ...callOptions, resend: 'if-unsent' });
  const stdout = collector(request.log);
  let guestPid: number | undefined;
  const stderr = collector(request.log, (line) => {
    const mark = pidIn(line);
    if (guestPid === undefined && mark !== undefined) return void (guestPid = mark);
    return line;
  });
  docker().modem.demuxStream(stream, stdout.sink, stderr.sink);
  const ended = new Promise<void>((resolve, reject) => {
    // A stream cut short (the engine restarting) is a dropped connection: transient.
    stream.on('end', resolve).on('close', resolve).on('error', (error: unknown) => reject(dockerError(what, error)));
    // Bound: whoever aborts, the command is stopped on the engine it runs on.
    const abort = bindEngine(() => {
      stream.destroy();
      const reason = request.signal!.reason ?? new TaskError(`${what} was cancelled`, { code: 'CANCELLED' });
      // Started before the run ends, so the command does not outlive bottle.
      void stopInGuest(container, guestPid, request.user).finally(() => reject(reason));
    });
    request.signal?.addEventListener('abort', abort, { once: true });
  });
  if (withInput) feed(stream, request.input!);
  await ended;
  const exitCode = await exitCodeOf(exec, what, callOptions);
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

/** The exit code, once Docker has recorded it (it may still say "running" for a moment after the stream ends). */
async function exitCodeOf(exec: { inspect(): Promise<{ Running: boolean; ExitCode: number | null }> }, what: string, options: CallOptions): Promise<number> {
  for (let i = 0; ; i++) {
    const info = await call(what, () => exec.inspect(), options);
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (options.signal?.aborted) throw options.signal.reason;
    await new Promise((r) => setTimeout(r, Math.min(50, 5 * (i + 1))));
  }
}

function feed(stream: NodeJS.WritableStream & { end(): void }, input: string | Uint8Array | NodeJS.ReadableStream): void {
  const source = typeof input === 'string' || input instanceof Uint8Array ? Readable.from([Buffer.from(input)]) : (input as Readable);
  source.on('data', (chunk: Buffer) => stream.write(chunk));
  // Half-close: the command sees the end of its stdin, the output keeps coming.
  source.on('end', () => (stream as unknown as { end(): void }).end());
}

/** The first stderr line of every exec: the wrapper's pid, which the command takes over. */
const PID_MARK = 'bottle-exec-pid:';

/** argv under the one-line `sh` that says its pid on stderr, then becomes the command (exec-stream.ts starts its commands so too). */
export function withPidMark(argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', `echo "${PID_MARK}$$" >&2; exec "$@"`, 'bottle-exec', ...argv];
}

/** The pid a stderr line of withPidMark's says, or undefined for any other line. */
export function pidIn(line: string): number | undefined {
  const mark = line.startsWith(PID_MARK) ? Number(line.slice(PID_MARK.length)) : NaN;
  return Number.isInteger(mark) ? mark : undefined;
}

/**
 * Signals every process of process group $G in the container (`kill -- -G`
 * is not in every sh): each /proc/<pid>/stat whose fifth field (after the
 * command name, which may hold spaces) is G. $S is the signal.
 */
const SIGNAL_GROUP =
  'g() { for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; p=${s#/proc/}; p=${p%/stat}; r=${l##*) }; set -- $r; [ "$3" = "$G" ] && kill -"$S" "$p" 2>/dev/null; done; }';

/** Ends a cancelled exec's command: TERM to its process group, KILL after 2 s. Best effort, bounded. */
export async function stopInGuest(container: string, pid: number | undefined, user: string | undefined): Promise<void> {
  if (pid === undefined) return;
  const stop = `${SIGNAL_GROUP}; G=${pid}; S=TERM; g; sleep 2; S=KILL; g; true`;
  const started = (async () => {
    const killer = await docker().getContainer(container).exec({ Cmd: ['/bin/sh', '-c', stop], ...(user ? { User: user } : {}) });
    // A detached start still answers with a stream: left open, it would keep bottle from exiting.
    const answer = (await killer.start({ Detach: true })) as unknown as { destroy?: () => void } | undefined;
    answer?.destroy?.();
  })();
  await Promise.race([started.catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
}

/** `filter` sees each whole line first: it returns the line to keep, or undefined to drop it. */
function collector(log: ((line: string) => void) | undefined, filter?: (line: string) => string | undefined) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  let partial = '';
  const sink = new PassThrough();
  const filtered = filter ? lineFilter(filter) : undefined;
  sink.on('data', (raw: Buffer) => {
    const chunk = filtered ? filtered(raw) : raw;
    if (chunk.length === 0) return;
    const keep = chunk.subarray(0, Math.max(0, OUTPUT_CAP - kept));
    chunks.push(keep);
    kept += keep.length;
    seen += chunk.length;
    if (log) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) log(line.replace(/\r$/, ''));
    }
  });
  return {
    sink,
    text() {
      if (log && partial) log(partial);
      const text = Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
      return seen > kept ? `${text}\n[output cut at ${OUTPUT_CAP} bytes]` : text;
    },
  };
}

/**
 * Drops the lines `filter` rejects from a byte stream, passing the rest
 * through as they come; only the first line is held until it is whole (the
 * marker is always first), so a command's own output is never delayed.
 */
export function lineFilter(filter: (line: string) => string | undefined): (chunk: Buffer) => Buffer {
  let head: Buffer | undefined = Buffer.alloc(0);
  return (chunk) => {
    if (head === undefined) return chunk;
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf(10);
    if (end === -1) return head.length > 256 ? release() : Buffer.alloc(0);
    const line = head.subarray(0, end).toString('utf8');
    const rest = head.subarray(end + 1);
    head = undefined;
    return filter(line) === undefined ? rest : Buffer.concat([Buffer.from(`${line}\n`), rest]);
    function release() {
      const all = head!;
      head = undefined;
      return all;
    }
  };
}
