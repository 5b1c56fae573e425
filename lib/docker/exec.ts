/**
 * A command in a running container through the Engine API: argv as an array
 * (never a shell string), env in the request body (never a process's env or
 * argv), stdin when given, stdout and stderr demultiplexed, and the command's
 * own exit code. Output is kept up to a cap per stream (a guest can print
 * without end). It does not judge the exit code; callers do.
 */
import { PassThrough, Readable } from 'node:stream';
import { TaskError } from '../engine/index.js';
import { call, docker } from './client.js';

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
  const exec = await call(what, () =>
    docker()
      .getContainer(container)
      .exec({
        Cmd: [...argv],
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: withInput,
        ...(request.user ? { User: request.user } : {}),
        ...(request.cwd ? { WorkingDir: request.cwd } : {}),
        ...(request.env ? { Env: Object.entries(request.env).map(([k, v]) => `${k}=${v}`) } : {}),
        ...(request.signal ? { abortSignal: request.signal } : {}),
      }),
  );
  const stream = await call(what, () => exec.start({ hijack: true, stdin: withInput, ...(request.signal ? { abortSignal: request.signal } : {}) }));
  const stdout = collector(request.log);
  const stderr = collector(request.log);
  docker().modem.demuxStream(stream, stdout.sink, stderr.sink);
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve).on('close', resolve).on('error', reject);
    request.signal?.addEventListener('abort', () => {
      stream.destroy();
      reject(request.signal!.reason ?? new TaskError(`${what} was cancelled`, { code: 'CANCELLED' }));
    }, { once: true });
  });
  if (withInput) feed(stream, request.input!);
  await ended;
  const exitCode = await exitCodeOf(exec, what, request.signal);
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

/** The exit code, once Docker has recorded it (it may still say "running" for a moment after the stream ends). */
async function exitCodeOf(exec: { inspect(): Promise<{ Running: boolean; ExitCode: number | null }> }, what: string, signal?: AbortSignal): Promise<number> {
  for (let i = 0; ; i++) {
    const info = await call(what, () => exec.inspect());
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (signal?.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, Math.min(50, 5 * (i + 1))));
  }
}

function feed(stream: NodeJS.WritableStream & { end(): void }, input: string | Uint8Array | NodeJS.ReadableStream): void {
  const source = typeof input === 'string' || input instanceof Uint8Array ? Readable.from([Buffer.from(input)]) : (input as Readable);
  source.on('data', (chunk: Buffer) => stream.write(chunk));
  // Half-close: the command sees the end of its stdin, the output keeps coming.
  source.on('end', () => (stream as unknown as { end(): void }).end());
}

function collector(log: ((line: string) => void) | undefined) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  let partial = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => {
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
