/**
 * Runs one process through execa: argv array (never a shell string), the
 * task's AbortSignal kills it, each output line goes to the task's log. It
 * does not decide what a failure means; callers map exit codes to errors.
 */
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { shellQuote } from './shell-quote.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Receives the command line and every line it prints. */
  log?: (line: string) => void;
  /** Bytes for stdin, or a stream piped to it. */
  input?: string | Uint8Array | Readable;
  /** Extra environment for the process (values never reach the log). */
  env?: Record<string, string>;
  /** False: `env` is the whole environment, nothing of bottle's own is passed on. */
  extendEnv?: boolean;
  cwd?: string;
  /** Print the command to the log (default true). */
  echo?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the process was killed because the signal aborted. */
  cancelled: boolean;
}

export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { log, signal } = options;
  if (log && options.echo !== false) log(`$ ${[file, ...args].map(shellQuote).join(' ')}`);
  const input = options.input;
  const child = execa(file, args, {
    reject: false,
    cancelSignal: signal,
    forceKillAfterDelay: 2000,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    cwd: options.cwd,
    stripFinalNewline: true,
    ...(input === undefined ? { stdin: 'ignore' as const } : isStream(input) ? {} : { input }),
    ...(log ? { lines: false } : {}),
  });
  if (input !== undefined && isStream(input)) input.pipe(child.stdin!);
  if (log) {
    forEachLine(child.stdout!, log);
    forEachLine(child.stderr!, log);
  }
  const result = await child;
  return {
    exitCode: typeof result.exitCode === 'number' ? result.exitCode : -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    cancelled: Boolean(result.isCanceled),
  };
}

function isStream(x: unknown): x is Readable {
  return typeof x === 'object' && x !== null && typeof (x as Readable).pipe === 'function';
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}
