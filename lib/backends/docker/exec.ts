/**
 * `docker exec` with an argv array; env values travel in an env file
 * (env-file.ts), so they never show in argv or logs and never steer the
 * docker CLI. Files go in as stdin of a guest command run by their future
 * owner (guest-install.ts), so no link the guest made is ever followed.
 */
import { createReadStream } from 'node:fs';
import { basename, dirname } from 'node:path';
import { execa } from 'execa';
import { TaskError } from '../../engine/index.js';
import { installFileArgv, unpackArgv } from '../guest-install.js';
import type { ExecOptions, ExecResult, OpOptions } from '../types.js';
import { docker, dockerBinary } from '../../docker/cli.js';
import { withEnvFile } from './env-file.js';

export async function execIn(container: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return withEnvFile(options.env, async (envArgs) => {
    const args = ['exec', ...envArgs];
    if (options.input !== undefined) args.push('--interactive');
    if (options.user) args.push('--user', options.user);
    if (options.cwd) args.push('--workdir', options.cwd);
    args.push(container, ...argv);
    const { env: _guestEnv, ...rest } = options;
    const result = await docker(args, {
      ...rest,
      input: options.input as never,
      allow: 'any', // the guest command's exit code is the caller's to judge
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  });
}

export async function copyFileIn(
  container: string,
  hostPath: string,
  guestPath: string,
  options: OpOptions & { mode: number; user: string },
): Promise<void> {
  const put = await execIn(container, installFileArgv(guestPath, options.mode), { ...options, input: createReadStream(hostPath) });
  if (put.exitCode !== 0) throw new TaskError(`could not write ${container}:${guestPath} as ${options.user}: ${put.stderr.trim()}`, { code: 'COPY_FAILED' });
}

/** Copies `hostDir` into `guestParent` as `guestParent/<basename(hostDir)>`, unpacked by the guest user. */
export async function copyDirIn(container: string, hostDir: string, guestParent: string, options: OpOptions & { user: string }): Promise<void> {
  const tar = execa('tar', ['-C', dirname(hostDir), '-cf', '-', basename(hostDir)], {
    cancelSignal: options.signal,
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: false }, // the stream goes to the guest only
  });
  const [extract, packed] = await Promise.all([execIn(container, unpackArgv(guestParent), { ...options, input: tar.stdout! }), tar]);
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
