/**
 * `smolvm machine exec -i [-t]` wired to this process's stdin, stdout and
 * stderr, for `bottle exec` and `bottle claude`. Not through the runner: the
 * runner buffers output, a terminal session must not.
 */
import { execa } from 'execa';
import type { AttachOptions } from './transport.js';

export function attachArgs(name: string, argv: readonly string[], options: AttachOptions): string[] {
  return ['machine', 'exec', '--name', name, '-i', ...(options.tty ? ['-t'] : []), ...(options.cwd ? ['-w', options.cwd] : []), '--', ...argv];
}

export async function attachCli(binary: string, name: string, argv: readonly string[], options: AttachOptions): Promise<number> {
  const result = await execa(binary, attachArgs(name, argv, options), { stdio: 'inherit', reject: false });
  return typeof result.exitCode === 'number' ? result.exitCode : 1;
}
