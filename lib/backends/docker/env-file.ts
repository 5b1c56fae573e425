/**
 * Guest environment for `docker run` and `docker exec` through `--env-file`:
 * a 0600 file in a fresh private directory, removed as soon as the command
 * ends. The docker CLI itself runs with bottle's own environment only, so a
 * guest `DOCKER_HOST`, `HOME` or `HTTP_PROXY` never steers it, and values
 * never reach argv or logs. Docker's env files hold one line per variable, so
 * a value with a line break is refused with the variable's name.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskError } from '../../engine/index.js';

/** Runs `use` with `['--env-file', path]` (or nothing for an empty env), then removes the file. */
export async function withEnvFile<T>(env: Readonly<Record<string, string>> | undefined, use: (args: string[]) => Promise<T>): Promise<T> {
  const entries = Object.entries(env ?? {});
  if (entries.length === 0) return use([]);
  for (const [name, value] of entries) {
    if (/[\r\n\0]/.test(value)) {
      throw new TaskError(`the value of env ${name} holds a line break or NUL, which Docker's env files cannot carry; put it in one line`, { code: 'BAD_ENV' });
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'bottle-env-'));
  try {
    const file = join(dir, 'env');
    await writeFile(file, entries.map(([name, value]) => `${name}=${value}\n`).join(''), { mode: 0o600 });
    return await use(['--env-file', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
