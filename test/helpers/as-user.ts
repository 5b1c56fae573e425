/**
 * Commands for tests that act as a user they made (non-root, rootless):
 * system commands with the system PATH only, and the built `bottle` run as
 * that user through runuser with exactly the environment given (what a
 * login of it would have), nothing of the test's own.
 */
import { execa } from 'execa';
import { BOTTLE } from './cli.js';

export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function sh(file: string, args: string[]): Promise<Run> {
  const r = await execa(file, args, { reject: false, stdin: 'ignore', env: { PATH: SYSTEM_PATH }, extendEnv: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function must(file: string, args: string[]): Promise<Run> {
  const r = await sh(file, args);
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr}`);
  return r;
}

/** The built `bottle` as `user`, in `cwd`, with only `env`. */
export async function bottleAs(user: string, env: Record<string, string>, cwd: string, args: string[]): Promise<Run> {
  const pairs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const r = await execa('runuser', ['-u', user, '--', '/usr/bin/env', '-i', ...pairs, process.execPath, BOTTLE, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    env: { PATH: SYSTEM_PATH },
    extendEnv: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Fails, saying why, when `user` cannot read the built `bottle` (the checkout must be readable by other users). */
export async function mustReadBottle(user: string): Promise<void> {
  const readable = await sh('runuser', ['-u', user, '--', 'test', '-r', BOTTLE]);
  if (readable.exitCode !== 0) throw new Error(`${user} cannot read ${BOTTLE}: the test needs the checkout readable by other users`);
}
