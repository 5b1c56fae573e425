/**
 * How the smolvm backend starts processes: a function with the signature of
 * lib/process/run.ts `run`, injected so tests stub the smolvm binary at the
 * process boundary and `--dry-run` records commands instead of running them.
 */
import { run } from '../../process/run.js';

export type Runner = typeof run;

export const realRunner: Runner = run;

export function smolvmBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_SMOLVM || 'smolvm';
}
