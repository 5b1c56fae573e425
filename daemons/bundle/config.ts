/**
 * The bundle's own config file: which daemons it runs, each by the path of
 * that daemon's config file, and where it says it is ready. Read once at
 * start and validated whole, every problem named by its field. It does not
 * read the daemons' own configs (each daemon's loader does).
 *
 * ```json
 * { "egress": "/etc/bot-bottle/egress.json",
 *   "gitGate": "/etc/bot-bottle/git-gate.json",
 *   "supervise": "/etc/bot-bottle/supervise.json",
 *   "readyFile": "/var/log/bot-bottle/ready.json" }
 * ```
 * Each daemon may be left out, not all of them; `readyFile` may be left out.
 */
import { readJsonConfig } from '../common/config-file.js';
import { createChecks } from '../common/config-checks.js';

export const DAEMON_NAMES = ['egress', 'gitGate', 'supervise'] as const;
export type DaemonName = (typeof DAEMON_NAMES)[number];

export interface BundleConfig {
  /** Config file path of each daemon to run, in start order. */
  readonly daemons: ReadonlyArray<{ name: DaemonName; configPath: string }>;
  /** Written once every daemon listens: their addresses, as JSON. */
  readonly readyFile?: string;
}

export class BundleConfigError extends Error {
  override readonly name = 'BundleConfigError';
}

const FIELDS = [...DAEMON_NAMES, 'readyFile'] as const;

export function checkBundleConfig(value: unknown, source = 'the bundle config'): BundleConfig {
  const checks = createChecks();
  const root = checks.object(value, '(root)', FIELDS);
  const daemons: { name: DaemonName; configPath: string }[] = [];
  for (const name of DAEMON_NAMES) {
    if (root?.[name] === undefined) continue;
    const configPath = checks.text(root[name], name);
    if (configPath !== undefined) daemons.push({ name, configPath });
  }
  if (root && daemons.length === 0 && checks.problems.length === 0) checks.problems.push(`no daemon to run: name the config file of at least one of ${DAEMON_NAMES.join(', ')}.`);
  const readyFile = root?.['readyFile'] === undefined ? undefined : checks.text(root['readyFile'], 'readyFile');
  if (checks.problems.length > 0) throw new BundleConfigError(`Invalid ${source}:\n  ${checks.problems.join('\n  ')}`);
  return { daemons, ...(readyFile !== undefined ? { readyFile } : {}) };
}

export async function loadBundleConfig(path: string): Promise<BundleConfig> {
  const value = await readJsonConfig(path, 'bundle config', (message, cause) => new BundleConfigError(message, { cause }));
  return checkBundleConfig(value, `bundle config ${path}`);
}
