/**
 * The pre-receive hook's logic: reads the gate's config from the file named
 * by BOTTLE_GATE_CONFIG, checks the push within the config's time limit
 * (check-push.ts), tells the pusher every reason a push is refused (git shows
 * the hook's stderr as `remote:` lines), and writes the decision to the
 * audit log. Any refusal refuses the WHOLE push (exit 1); so does anything
 * that keeps the checks from finishing: a bad config, a git failure, the
 * time limit, an audit log it cannot write. It does not read stdin, touch
 * process.env or exit (hook-main.ts does).
 */
import { checkPush } from './check-push.js';
import { appendAuditEntry, auditLine } from './audit-log.js';
import { CONFIG_ENV, GitGateConfigError, loadGitGateConfig } from './config.js';
import type { CheckedGitGateConfig } from './config.js';
import { startDeadline, TimeLimitError } from './deadline.js';
import type { ArmWatchdog } from './watchdog.js';
import type { Refusal } from './push-policy.js';
import { gateErrorRefusal, timeLimitRefusal } from './push-policy.js';
import { createRefRules } from './ref-rules.js';
import type { RefUpdate } from './ref-updates.js';
import { parseRefUpdates } from './ref-updates.js';
import { secretPatterns } from '../common/secret-patterns.js';
import { timedTest } from './timed-regex.js';

export interface PreReceiveOptions {
  /** The hook's stdin, whole: one `<old> <new> <ref>` line per update. */
  readonly input: string;
  /**
   * The hook's environment: BOTTLE_GATE_CONFIG, and what git set (GIT_DIR,
   * the quarantine's object directories), passed whole to the git commands it runs.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The hook's working directory: git runs it in the repo. */
  readonly cwd: string;
  /** Told each line meant for the pusher. */
  readonly report: (line: string) => void;
  /** Kills the hook, saying why, should the checks outlive their deadline stuck in a regex (watchdog.ts); the hook's main passes it. */
  readonly watchdog?: ArmWatchdog;
  readonly now?: () => Date;
}

export interface PreReceiveResult {
  readonly decision: 'accepted' | 'refused';
  /** What the hook exits with: 0 lets git update the refs, 1 refuses them all. */
  readonly exitCode: 0 | 1;
  readonly refusals: readonly Refusal[];
}

const PREFIX = 'bot-bottle git-gate:';

export async function runPreReceive(options: PreReceiveOptions): Promise<PreReceiveResult> {
  const now = options.now ?? (() => new Date());
  const configPath = options.env[CONFIG_ENV];
  let config: CheckedGitGateConfig | undefined;
  let updates: readonly RefUpdate[] = [];
  let refusals: readonly Refusal[];
  try {
    if (!configPath) throw new GitGateConfigError(`${CONFIG_ENV} is not set; the git gate daemon sets it for the git it runs, so this hook must run under it`);
    config = await loadGitGateConfig(configPath);
    updates = parseRefUpdates(options.input);
    refusals = await checkWithin(config, updates, options);
  } catch (error) {
    refusals = [gateErrorRefusal(error)];
  }

  if (config) {
    const decision = refusals.length === 0 ? 'accepted' : 'refused';
    try {
      await appendAuditEntry(config.auditLog, { kind: 'push', decision, updates, refusals }, now());
    } catch (error) {
      // Every decision is on record, or the push does not go in.
      if (decision === 'accepted') refusals = [gateErrorRefusal(error)];
    }
  }
  if (refusals.length === 0) return { decision: 'accepted', exitCode: 0, refusals };
  for (const refusal of refusals) options.report(`${PREFIX} refused: ${refusal.message}`);
  options.report(`${PREFIX} the whole push is refused; no ref was updated`);
  return { decision: 'refused', exitCode: 1, refusals };
}

async function checkWithin(config: CheckedGitGateConfig, updates: readonly RefUpdate[], options: PreReceiveOptions): Promise<readonly Refusal[]> {
  const { hookTimeoutMs } = config.limits;
  const deadline = startDeadline(hookTimeoutMs);
  const refusal = timeLimitRefusal(hookTimeoutMs);
  // A second past the deadline: the checks had their chance to stop themselves.
  const disarm = options.watchdog?.(hookTimeoutMs + WATCHDOG_GRACE_MS, {
    stderr: `${PREFIX} refused: ${refusal.message}\n${PREFIX} the whole push is refused; no ref was updated\n`,
    auditPath: config.auditLog,
    auditLine: auditLine({ kind: 'push', decision: 'refused', updates, refusals: [refusal] }, new Date(Date.now() + hookTimeoutMs + WATCHDOG_GRACE_MS)),
  });
  try {
    return await checkPush(updates, {
      rules: createRefRules(config.push),
      patterns: secretPatterns(config.secrets),
      git: { env: options.env, cwd: options.cwd, signal: deadline.signal },
      test: timedTest(deadline),
    });
  } catch (error) {
    if (error instanceof TimeLimitError || deadline.isExpired) return [timeLimitRefusal(hookTimeoutMs)];
    throw error;
  } finally {
    deadline.stop();
    disarm?.();
  }
}

const WATCHDOG_GRACE_MS = 1000;
