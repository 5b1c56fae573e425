/** Runs `bottle` in-process (cli/main) in a temp dir with its own state root, capturing what it prints. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';

export interface InProcessCli {
  dir: string;
  out: string;
  err: string;
  run(...argv: string[]): Promise<number>;
  cleanup(): Promise<void>;
}

export async function inProcessCli(): Promise<InProcessCli> {
  const dir = await mkdtemp(join(tmpdir(), 'bottle-cli-'));
  const cli: InProcessCli = {
    dir,
    out: '',
    err: '',
    run: (...argv) => {
      cli.out = '';
      cli.err = '';
      return main(argv, {
        env: { ...process.env, BOTTLE_STATE_DIR: join(dir, 'state') },
        cwd: dir,
        stdout: (t) => void (cli.out += t),
        stderr: (t) => void (cli.err += t),
        signal: new AbortController().signal,
        isTTY: false,
      });
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return cli;
}
