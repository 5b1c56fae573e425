/**
 * An interactive session in a container (`bottle exec`, `bottle claude`):
 * the docker CLI's `docker exec -it`, on this process's terminal. The one
 * place the Docker backend runs a process: a session is the user's, with
 * raw mode, resizing and signals that the CLI already gets right.
 */
import { execa } from 'execa';
import { dockerBinary } from '../../docker/binary.js';

export async function attachTo(container: string, argv: readonly string[], options: { user: string; cwd?: string; tty: boolean }): Promise<number> {
  const args = ['exec', '--interactive', ...(options.tty ? ['--tty'] : []), '--user', options.user, ...(options.cwd ? ['--workdir', options.cwd] : []), container, ...argv];
  const result = await execa(dockerBinary(), args, { stdio: 'inherit', reject: false });
  return typeof result.exitCode === 'number' ? result.exitCode : 1;
}
