/**
 * `docker exec` with an argv array; env values travel in the docker CLI's own
 * environment (`--env NAME`), so they never show in argv or logs. Copies go in
 * as tar streams extracted by the guest user, so files belong to that user.
 */
import { basename, dirname } from 'node:path';
import { execa } from 'execa';
import { TaskError } from '../../engine/errors.js';
import type { ExecOptions, ExecResult, OpOptions } from '../types.js';
import { docker, dockerBinary } from './cli.js';

export async function execIn(container: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const args = ['exec'];
  if (options.input !== undefined) args.push('--interactive');
  if (options.user) args.push('--user', options.user);
  if (options.cwd) args.push('--workdir', options.cwd);
  for (const name of Object.keys(options.env ?? {})) args.push('--env', name);
  args.push(container, ...argv);
  const result = await docker(args, {
    ...options,
    env: options.env,
    input: options.input as never,
    allow: 'any', // the guest command's exit code is the caller's to judge
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

export async function copyFileIn(
  container: string,
  hostPath: string,
  guestPath: string,
  options: OpOptions & { mode: number; user: string },
): Promise<void> {
  await docker(['cp', hostPath, `${container}:${guestPath}`], options);
  const fix = await execIn(container, ['sh', '-c', 'chown "$1:" "$3" && chmod "$2" "$3"', 'sh', options.user, options.mode.toString(8), guestPath], {
    ...options,
    user: '0',
  });
  if (fix.exitCode !== 0) {
    throw new TaskError(`could not set owner ${options.user} and mode ${options.mode.toString(8)} on ${container}:${guestPath}: ${fix.stderr.trim()}`, { code: 'COPY_FAILED' });
  }
}

/** Copies `hostDir` into `guestParent` as `guestParent/<basename(hostDir)>`. */
export async function copyDirIn(container: string, hostDir: string, guestParent: string, options: OpOptions & { user: string }): Promise<void> {
  const tar = execa('tar', ['-C', dirname(hostDir), '-cf', '-', basename(hostDir)], {
    cancelSignal: options.signal,
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false }, // the stream goes to the guest only
  });
  const [extract, packed] = await Promise.all([
    execIn(container, ['tar', '-x', '--no-same-owner', '-f', '-', '-C', guestParent], { ...options, user: options.user, input: tar.stdout! }),
    tar,
  ]);
  if (packed.exitCode !== 0) throw new TaskError(`could not pack ${hostDir}: ${String(packed.stderr).trim()}`, { code: 'COPY_FAILED' });
  if (extract.exitCode !== 0) {
    throw new TaskError(`could not unpack into ${container}:${guestParent}: ${extract.stderr.trim()}`, { code: 'COPY_FAILED' });
  }
}

export async function attachTo(container: string, argv: readonly string[], options: { user: string; cwd?: string; tty: boolean }): Promise<number> {
  const args = ['exec', '--interactive', ...(options.tty ? ['--tty'] : []), '--user', options.user, ...(options.cwd ? ['--workdir', options.cwd] : []), container, ...argv];
  const result = await execa(dockerBinary(), args, { stdio: 'inherit', reject: false });
  return typeof result.exitCode === 'number' ? result.exitCode : 1;
}
