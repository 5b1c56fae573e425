/**
 * A command in a running container that runs as long as its caller wants
 * (`bottle port`'s relays): its stdin raw, its stdout demultiplexed and
 * passed on as it comes, the end of its stderr kept for the reason it ended.
 * It starts under exec.ts's pid wrapper and `stop` ends it with exec.ts's
 * group kill: closing the stream alone would leave the command running in
 * the guest. It does not read the exit code, nor judge what was printed.
 */
import { PassThrough } from 'node:stream';
import { abortOn, bindEngine, call, docker, dockerError } from './client.js';
import { lineFilter, pidIn, stopInGuest, withPidMark } from './exec.js';

export interface ExecStream {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  ended: Promise<{ stderr: string }>;
  stop(): Promise<void>;
}

/** Bytes of stderr kept: the end of it says why a command failed. */
const STDERR_KEPT = 8 * 1024;
/** How long `stop` waits for the wrapper's pid line before it gives up on the guest (the command may never have started). */
const PID_WAIT_MS = 3_000;

export async function openExecStream(container: string, argv: readonly string[], request: { user?: string; signal?: AbortSignal } = {}): Promise<ExecStream> {
  const what = `docker exec ${container} ${argv[0] ?? ''}`.trim();
  const options = request.signal ? { signal: request.signal } : {};
  const exec = await call(
    what,
    () =>
      docker()
        .getContainer(container)
        .exec({ Cmd: withPidMark(argv), AttachStdin: true, AttachStdout: true, AttachStderr: true, ...(request.user ? { User: request.user } : {}), ...abortOn(request.signal) }),
    options,
  );
  // Sent twice, the command would run twice: only when the first send never reached Docker.
  const stream = await call(what, () => exec.start({ hijack: true, stdin: true }), { ...options, resend: 'if-unsent' });

  let pid: (value: number | undefined) => void = () => {};
  const pidKnown = new Promise<number | undefined>((resolve) => (pid = resolve));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let kept = Buffer.alloc(0);
  const takePid = lineFilter((line) => {
    const mark = pidIn(line);
    if (mark === undefined) return line;
    pid(mark);
    return undefined;
  });
  stderr.on('data', (raw: Buffer) => {
    kept = Buffer.concat([kept, takePid(raw)]).subarray(-STDERR_KEPT);
  });
  docker().modem.demuxStream(stream, stdout, stderr);

  let done = false;
  const ended = new Promise<{ stderr: string }>((resolve) => {
    const finish = () => {
      if (done) return;
      done = true;
      pid(undefined);
      stdout.end();
      resolve({ stderr: kept.toString('utf8') });
    };
    stream.on('end', finish).on('close', finish).on('error', (error: unknown) => {
      kept = Buffer.concat([kept, Buffer.from(`\n${dockerError(what, error).message}`)]);
      finish();
    });
  });

  // Bound: called later by the caller (or an abort), it still stops the command on the engine it runs on.
  const stop = bindEngine(async (): Promise<void> => {
    if (done) return;
    // The pid comes on the stream: waited for before the stream is cut (a stop right after the start).
    const guestPid = await Promise.race([pidKnown, new Promise<undefined>((r) => setTimeout(() => r(undefined), PID_WAIT_MS).unref())]);
    const running = !done;
    stream.destroy();
    if (running) await stopInGuest(container, guestPid, request.user);
  });
  request.signal?.addEventListener('abort', () => void stop(), { once: true });

  return { stdin: stream, stdout, ended, stop };
}
