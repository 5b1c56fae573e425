/**
 * Runs the git gate from a config: checks it can serve safely (servable.ts),
 * makes sure the pre-receive hook can find the config (the file the config
 * came from, or a private copy written for the purpose), opens the audit log
 * and starts the server; `close` stops them in order. It does not read argv,
 * install signal handlers, write to the terminal or exit (the bundle's main
 * does).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditLog } from './audit-log.js';
import { openAuditLog } from './audit-log.js';
import { DEFAULT_PATH } from './cgi-env.js';
import type { GitGateConfig } from './config.js';
import { limitsOf } from './config.js';
import { createGateServer } from './gate-server.js';
import type { BoundAddress } from '../common/listen.js';
import { checkServable } from './servable.js';

export interface StartGitGateOptions {
  /**
   * The config file the pre-receive hook reads (passed to it as
   * BOTTLE_GATE_CONFIG): give the path `config` was loaded from. When not
   * given, the config is written to a private temp file, removed on close.
   */
  readonly configPath?: string;
  /** Where git and the hook's node are looked for; the daemon's PATH by default. */
  readonly path?: string;
  /** Told of an audit-log write that failed after start; the request goes on. */
  readonly onAuditError?: (error: Error) => void;
}

export interface RunningGitGate {
  readonly address: BoundAddress;
  /** Stops the server (cutting open requests and killing their git), then closes the audit log. */
  close(): Promise<void>;
}

export async function startGitGate(config: GitGateConfig, options: StartGitGateOptions = {}): Promise<RunningGitGate> {
  const path = options.path ?? process.env['PATH'] ?? DEFAULT_PATH;
  await checkServable(config, path);
  const written = options.configPath === undefined ? await writePrivateConfig(config) : undefined;
  const configPath = options.configPath ?? written?.file ?? '';
  const cleanUp = async (): Promise<void> => {
    if (written) await rm(written.dir, { recursive: true, force: true });
  };

  let audit: AuditLog;
  try {
    audit = await openAuditLog(config.auditLog, options.onAuditError ? { onError: options.onAuditError } : {});
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const { root, repo, hooksDir } = config;
  const server = createGateServer({
    settings: { root, repo, hooksDir, configPath, maxPushBytes: limitsOf(config).maxPushBytes, path },
    audit,
  });
  const close = async (): Promise<void> => {
    await server.close();
    await audit.close();
    await cleanUp();
  };
  try {
    const address = await server.listen(config.listen.host, config.listen.port);
    return { address, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function writePrivateConfig(config: GitGateConfig): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bot-bottle-git-gate-'));
  const file = join(dir, 'git-gate.json');
  await writeFile(file, JSON.stringify(config), { mode: 0o600 });
  return { dir, file };
}
