/**
 * Runs one command (argv, never a shell string) and times it from spawn to
 * exit, wall clock: what a user waits for, the CLI's own start-up included.
 * Children run in a process group of their own, so a Ctrl-C at the terminal
 * reaches this bench only; it forwards the interrupt through `signal`, and
 * the cleanup it then runs cannot be cut short by a second Ctrl-C.
 */
import { execa } from 'execa';

export interface Timed {
  ms: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TimedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting it interrupts the command (SIGINT, then SIGKILL 30 s later). */
  signal?: AbortSignal;
  /** Each stdout line as it arrives, with the ms since spawn. */
  onLine?: (line: string, atMs: number) => void;
}

export async function timed(file: string, args: readonly string[], options: TimedOptions = {}): Promise<Timed> {
  const started = performance.now();
  const child = execa(file, args, {
    env: options.env ?? process.env,
    extendEnv: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    killSignal: 'SIGINT',
    forceKillAfterDelay: 30_000,
    detached: true,
    reject: false,
    stdin: 'ignore',
  });
  const onLine = options.onLine;
  if (onLine) {
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const at = performance.now() - started;
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line.trim()) onLine(line, at);
    });
  }
  const r = await child;
  return { ms: performance.now() - started, exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Like `timed`, but a non-zero exit is an error that names the command and its last lines of output. */
export async function mustRun(file: string, args: readonly string[], options: TimedOptions = {}): Promise<Timed> {
  const r = await timed(file, args, options);
  if (r.exitCode !== 0) {
    const tail = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-8).join('\n  ');
    throw new Error(`\`${file} ${args.join(' ')}\` exited ${r.exitCode}:\n  ${tail || '(no output)'}`);
  }
  return r;
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
