/**
 * `smolvm machine exec -i` with pipes for stdin and stdout, for a command
 * that runs as long as its caller wants (`bottle port`'s relays): in
 * interactive mode smolvm forwards stdin as it comes, sends its end, and
 * writes the command's output as it arrives [src/agent/client.rs
 * interactive_session]. Not through the runner: the runner buffers output.
 * smolvm cannot signal a guest process, so `stop` closes the command's
 * stdin (our relays end on that) and then ends the smolvm process; a
 * command that ignores the end of its stdin is left to smolvm's session end.
 */
import { execa } from 'execa';
import type { GuestProcess } from '../types.js';

/** Bytes of stderr kept: the end of it says why a command failed. */
const STDERR_KEPT = 8 * 1024;
/** How long a stopped command has to end after its stdin closed, before the smolvm process is ended. */
const GRACE_MS = 2_000;

export function streamArgs(name: string, argv: readonly string[]): string[] {
  return ['machine', 'exec', '--name', name, '-i', '--', ...argv];
}

export async function streamCli(binary: string, name: string, argv: readonly string[], options: { signal?: AbortSignal } = {}): Promise<GuestProcess> {
  const child = execa(binary, streamArgs(name, argv), { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', reject: false, buffer: false });
  let kept = Buffer.alloc(0);
  child.stderr!.on('data', (chunk: Buffer) => (kept = Buffer.concat([kept, chunk]).subarray(-STDERR_KEPT)));
  let done = false;
  const ended = child.then((result) => {
    done = true;
    const failed = result.failed && typeof result.exitCode !== 'number' ? `\n${result.shortMessage}` : '';
    return { stderr: `${kept.toString('utf8')}${failed}` };
  });
  // A closed pipe when the process is gone is the end, not an error.
  child.stdin!.on('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (done) return;
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGTERM'), GRACE_MS);
    await ended;
    clearTimeout(timer);
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  return { stdin: child.stdin!, stdout: child.stdout!, ended, stop };
}
