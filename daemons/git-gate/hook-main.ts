/**
 * Entry point of git's pre-receive hook, bundled to `pre-receive.cjs` and
 * run by the `pre-receive` script in the gate's hooks directory
 * (`exec node /opt/bot-bottle/daemons/pre-receive.cjs`): reads the updates
 * from stdin, runs runPreReceive with this process's environment and
 * directory, writes its lines to stderr (git relays them to the pusher) and
 * sets the exit code. It is the only module of the hook that touches
 * `process`; it holds no logic of its own.
 */
import { runPreReceive } from './pre-receive.js';
import { armWatchdog } from './watchdog.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const result = await runPreReceive({
    input: await readStdin(),
    env: process.env,
    cwd: process.cwd(),
    report: (line) => process.stderr.write(`${line}\n`),
    watchdog: armWatchdog,
  });
  process.exitCode = result.exitCode;
}

main().catch((error: unknown) => {
  // runPreReceive turns its failures into refusals; this is a bug, and the push must not go in.
  process.stderr.write(`bot-bottle git-gate: the hook failed, so the push is refused: ${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
