/**
 * The supervise daemon's config file: read once at start, validated whole
 * (every bad field named at once, with what was expected and what it got:
 * the field checks are shared with the egress daemon's config) and completed
 * with the default poll interval, so the daemon downstream trusts it.
 *
 * ```json
 * { "listen": { "host": "0.0.0.0", "port": 8765 },
 *   "dir": "/var/lib/bot-bottle/supervise",
 *   "askTimeoutMs": 1800000,
 *   "pollMs": 250 }
 * ```
 * `dir` holds messages.jsonl (written here) and answers.jsonl (written by the
 * host); it is a bind mount of the bottle's state, so it outlives the bundle.
 * `pollMs`, how often answers.jsonl is read for new answers, may be left out.
 * It does not open `dir` (message-log.ts does).
 */
import { readJsonConfig } from '../common/config-file.js';
import { isAbsolute } from 'node:path';
import { createChecks } from '../common/config-checks.js';

export interface SuperviseConfig {
  readonly listen: {
    readonly host: string;
    /** 0 picks a free port (tests). */
    readonly port: number;
  };
  /** Absolute path of the directory of messages.jsonl and answers.jsonl; created if missing. */
  readonly dir: string;
  /** How long ask_human waits for an answer before telling the agent none came. */
  readonly askTimeoutMs: number;
  /** How often answers.jsonl is polled; DEFAULT_POLL_MS when not given. */
  readonly pollMs?: number;
}

export const DEFAULT_POLL_MS = 250;

/** A config that cannot be read or is not valid; `problems` has one sentence per bad field. */
export class SuperviseConfigError extends Error {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SuperviseConfigError';
    this.problems = problems;
  }
}

const ROOT_FIELDS = ['listen', 'dir', 'askTimeoutMs', 'pollMs'] as const;
const LISTEN_FIELDS = ['host', 'port'] as const;
// A timer cannot wait longer than 2^31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2_147_483_647;

/** Reads and validates the config file at `path`. */
export async function loadSuperviseConfig(path: string): Promise<SuperviseConfig> {
  const value = await readJsonConfig(path, 'supervise config', (message, cause) => new SuperviseConfigError(message, [], cause));
  return checkSuperviseConfig(value, path);
}

/** Validates a parsed config and fills in `pollMs`; `source` (a path) only goes into the error message. */
export function checkSuperviseConfig(value: unknown, source = 'supervise config'): SuperviseConfig {
  const checks = createChecks();
  const root = checks.object(value, '(root)', ROOT_FIELDS);
  const listen = root && checks.object(root['listen'], 'listen', LISTEN_FIELDS);
  const host = listen && checks.text(listen['host'], 'listen.host');
  const port = listen && checks.integer(listen['port'], 'listen.port', 0, 65535);
  const dirText = root && checks.text(root['dir'], 'dir');
  const dir = dirText !== undefined && !isAbsolute(dirText) ? checks.fail('dir', 'an absolute path', dirText) : dirText;
  const askTimeoutMs = root && checks.integer(root['askTimeoutMs'], 'askTimeoutMs', 100, MAX_TIMER_MS);
  const given = root?.['pollMs'];
  const pollMs = root && checks.integer(given === undefined ? DEFAULT_POLL_MS : given, 'pollMs', 10, 60_000);

  const { problems } = checks;
  if (problems.length > 0 || host === undefined || port === undefined || dir === undefined || askTimeoutMs === undefined || pollMs === undefined) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n');
    throw new SuperviseConfigError(`Invalid supervise config ${source}:\n${list}`, problems);
  }
  return { listen: { host, port }, dir, askTimeoutMs, pollMs };
}
