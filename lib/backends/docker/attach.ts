/**
 * An interactive session in a container (`bottle exec`, `bottle claude`):
 * the docker CLI's `docker exec -it`, on this process's terminal. The one
 * place the Docker backend runs a process: a session is the user's, with
 * raw mode, resizing and signals that the CLI already gets right. The CLI
 * is pointed at the backend's engine (lib/docker/cli-env.ts); for the
 * process's own engine its environment already is.
 */
import { execa } from 'execa';
import { dockerBinary } from '../../docker/binary.js';
import { dockerCliEnv } from '../../docker/cli-env.js';
import type { Endpoint } from '../../docker/endpoint.js';

export async function attachTo(endpoint: Endpoint | undefined, container: string, argv: readonly string[], options: { user: string; cwd?: string; tty: boolean }): Promise<number> {
  const args = ['exec', '--interactive', ...(options.tty ? ['--tty'] : []), '--user', options.user, ...(options.cwd ? ['--workdir', options.cwd] : []), container, ...argv];
  const target = await dockerCliEnv(endpoint);
  try {
    const result = await execa(dockerBinary(), args, { stdio: 'inherit', reject: false, env: target.env });
    return typeof result.exitCode === 'number' ? result.exitCode : 1;
  } finally {
    await target.release();
  }
}
