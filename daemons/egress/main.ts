/**
 * Entry point of the egress daemon in the bundle container:
 * `node dist/daemons/egress/main.js <config.json>` (or `EGRESS_CONFIG=<path>`).
 * Prints one line to stderr once listening, exits 0 on SIGTERM or SIGINT after
 * closing its servers and audit log, and exits 2 with a one-paragraph message
 * (no stack trace) when the config, the TLS files or the audit log are bad.
 * An exception or rejection no code handled is reported on one stderr line
 * and the daemon keeps serving: it is PID 1 of the bundle, and the agent must
 * not be able to stop it. Everything else lives in daemon.ts and the modules
 * it uses; this is the only module that touches `process`.
 */
import { EgressConfigError, loadConfig } from './config.js';
import { startEgress } from './daemon.js';
import { AuditLogError } from './audit-log.js';
import { ListenError } from './listen.js';
import { TlsFilesError } from './tls-health.js';

process.on('uncaughtException', (error) => reportUnhandled('uncaught exception', error));
process.on('unhandledRejection', (reason) => reportUnhandled('unhandled rejection', reason));

/** One line: the error and where it was thrown, when known. */
function reportUnhandled(kind: string, error: unknown): void {
  const where = error instanceof Error ? error.stack?.split('\n')[1]?.trim() : undefined;
  const text = `${String(error)}${where ? ` (${where})` : ''}`.replace(/\s+/g, ' ');
  process.stderr.write(`bot-bottle egress: ${kind}, still serving: ${text}\n`);
}

const USAGE = 'usage: node main.js <config.json>   (or set EGRESS_CONFIG to the config path)';

async function main(): Promise<void> {
  const configPath = process.argv[2] ?? process.env['EGRESS_CONFIG'];
  if (!configPath) {
    process.stderr.write(`bot-bottle egress: no config file given.\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  const config = await loadConfig(configPath);
  const running = await startEgress(config, {
    onAuditError: (error) => process.stderr.write(`bot-bottle egress: audit log write failed: ${error.message}\n`),
  });
  const tls = running.tls ? `, TLS health on ${running.tls.host}:${running.tls.port}` : '';
  process.stderr.write(
    `bot-bottle egress: listening on ${running.proxy.host}:${running.proxy.port}${tls}; ` +
      `${config.allow.length} allow rule(s); audit log ${config.auditLog}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`bot-bottle egress: ${signal}, stopping\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`bot-bottle egress: stopping failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const USER_ERRORS = [EgressConfigError, TlsFilesError, AuditLogError, ListenError];

main().catch((error: unknown) => {
  const known = USER_ERRORS.some((kind) => error instanceof kind);
  process.stderr.write(`bot-bottle egress: ${known ? (error as Error).message : (error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = known ? 2 : 1;
});
