/**
 * Entry point of the bundle container (PID 1): `node daemons.cjs <bundle.json>`
 * (or `BUNDLE_CONFIG=<path>`), the daemons bundled into one file by esbuild.
 * It starts every daemon the bundle config names (start-all.ts), prints a line
 * per daemon to stderr once it listens, and exits 0 on SIGTERM or SIGINT after
 * closing them. A bad config file (the bundle's or a daemon's) or a port in
 * use exits 2 with a one-paragraph message, no stack trace. An exception or
 * rejection no code handled is reported on one stderr line and the daemons
 * keep serving: the agent must not be able to stop them. This is the only
 * module of the bundle that touches `process`.
 */
import { AuditLogError } from '../egress/audit-log.js';
import { EgressConfigError } from '../egress/config.js';
import { ListenError } from '../common/listen.js';
import { TlsFilesError } from '../egress/tls-health.js';
import { AuditLogError as GateAuditLogError, GitGateConfigError } from '../git-gate/index.js';
import { MessageLogError, SuperviseConfigError } from '../supervise/index.js';
import { BundleConfigError, loadBundleConfig } from './config.js';
import { startAll } from './start-all.js';

const PREFIX = 'bot-bottle bundle';
const say = (line: string): void => void process.stderr.write(`${PREFIX}: ${line}\n`);

process.on('uncaughtException', (error) => reportUnhandled('uncaught exception', error));
process.on('unhandledRejection', (reason) => reportUnhandled('unhandled rejection', reason));

/** One line: the error and where it was thrown, when known. */
function reportUnhandled(kind: string, error: unknown): void {
  const where = error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined;
  say(`${kind}, still serving: ${`${String(error)}${where ? ` (${where})` : ''}`.replace(/\s+/g, ' ')}`);
}

const USAGE = 'usage: node daemons.cjs <bundle.json>   (or set BUNDLE_CONFIG to the config path)';

async function main(): Promise<void> {
  const configPath = process.argv[2] ?? process.env['BUNDLE_CONFIG'];
  if (!configPath) {
    say(`no config file given.\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const config = await loadBundleConfig(configPath);
  const bundle = await startAll(config, { warn: (daemon, message) => say(`${daemon}: ${message}`) });
  for (const { name, running } of bundle.daemons) say(`${name}: ${running.summary}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}, stopping`);
    bundle.close().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`stopping failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Errors that are the config's or the host's, not a bug: a message, no stack. */
const USER_ERRORS = [BundleConfigError, EgressConfigError, TlsFilesError, AuditLogError, ListenError, GitGateConfigError, GateAuditLogError, SuperviseConfigError, MessageLogError];

main().catch((error: unknown) => {
  const known = USER_ERRORS.some((kind) => error instanceof kind);
  say(known ? (error as Error).message : ((error as Error)?.stack ?? String(error)));
  process.exitCode = known ? 2 : 1;
});
