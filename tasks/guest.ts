/** Running commands in a guest through any backend, failing with what the command said. */
import { TaskError } from '../lib/engine/index.js';
import type { Backend, ExecOptions, ExecResult } from '../lib/backends/types.js';

export async function execOk(backend: Backend, machine: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await backend.exec(machine, argv, options);
  if (result.exitCode !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').at(-1) ?? '';
    throw new TaskError(`\`${argv.join(' ')}\` in ${machine} exited ${result.exitCode}: ${said}`, { code: 'GUEST_COMMAND_FAILED' });
  }
  return result;
}
