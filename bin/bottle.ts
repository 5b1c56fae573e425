#!/usr/bin/env node
/**
 * The `bottle` executable: argv to cli/, the exit code back to the shell.
 * The only place that sets exit codes, installs signal handlers or writes to
 * the terminal directly. A first Ctrl-C cancels the run (exit 130); a second
 * exits at once.
 */
import { main } from '../cli/main.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write(`\nbottle: ${signal}: stopping (press Ctrl-C again to exit at once)\n`);
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: controller.signal,
  isTTY: process.stdout.isTTY === true,
  ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  ...(process.stdout.rows ? { rows: process.stdout.rows } : {}),
});
process.exitCode = code;
// A call to an engine that went silent (a cut link) can hold a socket open for minutes after its run gave up on
// it: exit anyway once what was written has reached stdout and stderr (pipes are asynchronous on macOS).
const exitOnceFlushed = (): void => {
  if (process.stdout.writableLength + process.stderr.writableLength > 0) setTimeout(exitOnceFlushed, 200).unref();
  else process.exit(code);
};
setTimeout(exitOnceFlushed, 2000).unref();
