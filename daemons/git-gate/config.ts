/**
 * The git gate's config file: read once, validated whole (every problem
 * reported at once, each naming its field), with the optional fields filled
 * in, so the server and the pre-receive hook downstream trust it. The
 * daemon reads it at start; the hook reads the same file on every push (its
 * path is in BOTTLE_GATE_CONFIG). It does not look at the paths it names
 * (daemon.ts checks the repo and the hook exist before serving).
 *
 * ```json
 * { "listen": { "host": "0.0.0.0", "port": 8418 },
 *   "root": "/srv/git", "repo": "a-1.git",
 *   "push": ["refs/heads/bottle/a-1/*"],
 *   "secrets": [{ "name": "internal token", "pattern": "itk_[0-9a-f]{32}", "flags": "i" }],
 *   "auditLog": "/var/log/bot-bottle/git-gate.jsonl",
 *   "hooksDir": "/opt/bot-bottle/git-hooks",
 *   "limits": { "maxPushBytes": 536870912, "hookTimeoutMs": 60000 } }
 * ```
 * `secrets` and `limits` (and each of its fields) may be left out: they
 * default to [], 512 MiB and 60 s.
 */
import { readJsonConfig } from '../common/config-file.js';
import type { Checks } from '../common/config-checks.js';
import { createChecks } from '../common/config-checks.js';
import { REF_PATTERN_SHAPE } from './ref-rules.js';
import type { SecretPatternSource } from '../common/secret-patterns.js';
import { BUILTIN_SECRET_PATTERNS, compileSecretPattern } from '../common/secret-patterns.js';

export interface GitGateLimits {
  /** A request body (a push's pack, mostly) past this is refused: HTTP 413, and git's receive.maxInputSize. */
  readonly maxPushBytes: number;
  /** The pre-receive checks of one push must finish within this, or the push is refused. */
  readonly hookTimeoutMs: number;
}

export interface GitGateConfig {
  readonly listen: { readonly host: string; /** 0 picks a free port (tests). */ readonly port: number };
  /** GIT_PROJECT_ROOT: the directory holding the bare repo. */
  readonly root: string;
  /** The bare repo's directory name under `root`, e.g. `a-1.git`: the only path served. */
  readonly repo: string;
  /** Refs a push may update; `*` matches any run of characters, `/` included. Empty: every push is refused. */
  readonly push: readonly string[];
  /** The manifest's secret patterns, scanned for besides the built-in ones. */
  readonly secrets: readonly SecretPatternSource[];
  /** Path of the JSON-lines audit log (requests and push decisions); its directory is created if missing. */
  readonly auditLog: string;
  /** git's core.hooksPath: a directory holding an executable `pre-receive` that runs hook-main. */
  readonly hooksDir: string;
  readonly limits?: Partial<GitGateLimits>;
}

/** A config as checkGitGateConfig returns it: every optional field filled in. */
export interface CheckedGitGateConfig extends GitGateConfig {
  readonly limits: GitGateLimits;
}

/** The variable naming the config file, set by the daemon for git http-backend and so for the hook. */
export const CONFIG_ENV = 'BOTTLE_GATE_CONFIG';

export const DEFAULT_GIT_GATE_LIMITS: GitGateLimits = { maxPushBytes: 512 * 1024 * 1024, hookTimeoutMs: 60_000 };

/** A config that cannot be read or is not valid; `problems` has one sentence per bad field. */
export class GitGateConfigError extends Error {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'GitGateConfigError';
    this.problems = problems;
  }
}

/** The limits of a config, defaults filled in; for a config built in code rather than checked. */
export function limitsOf(config: GitGateConfig): GitGateLimits {
  return { ...DEFAULT_GIT_GATE_LIMITS, ...config.limits };
}

/** Reads and validates the config file at `path`. */
export async function loadGitGateConfig(path: string): Promise<CheckedGitGateConfig> {
  const value = await readJsonConfig(path, 'git gate config', (message, cause) => new GitGateConfigError(message, [], cause));
  return checkGitGateConfig(value, path);
}

const ROOT_FIELDS = ['listen', 'root', 'repo', 'push', 'secrets', 'auditLog', 'hooksDir', 'limits'] as const;
// A single directory name: no slash, not `.` or `..`, nothing a URL or a shell would read specially.
const REPO_SHAPE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
// hookTimeoutMs: a timer cannot wait longer than 2^31 - 1 ms.
const LIMIT_RANGES: Record<keyof GitGateLimits, readonly [number, number]> = {
  maxPushBytes: [1024, Number.MAX_SAFE_INTEGER],
  hookTimeoutMs: [100, 2_147_483_647],
};

/** Validates a parsed config and fills in defaults; `source` (a path) only goes into the error message. */
export function checkGitGateConfig(value: unknown, source = 'git gate config'): CheckedGitGateConfig {
  const checks = createChecks();
  const root = checks.object(value, '(root)', ROOT_FIELDS);
  const listen = root && listenOf(root['listen'], checks);
  const rootDir = root && checks.absolutePath(root['root'], 'root');
  const repo = root && repoOf(root['repo'], checks);
  const push = root && pushOf(root['push'], checks);
  const secrets = root && secretsOf(orDefault(root['secrets'], []), checks);
  const auditLog = root && checks.absolutePath(root['auditLog'], 'auditLog');
  const hooksDir = root && checks.absolutePath(root['hooksDir'], 'hooksDir');
  const limits = root && limitsFrom(orDefault(root['limits'], {}), checks);

  const { problems } = checks;
  if (problems.length > 0 || !listen || !rootDir || !repo || !push || !secrets || !auditLog || !hooksDir || !limits) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n');
    throw new GitGateConfigError(`Invalid git gate config ${source}:\n${list}`, problems);
  }
  return { listen, root: rootDir, repo, push, secrets, auditLog, hooksDir, limits };
}

function listenOf(value: unknown, checks: Checks): GitGateConfig['listen'] | undefined {
  const listen = checks.object(value, 'listen', ['host', 'port']);
  if (!listen) return undefined;
  const host = checks.text(listen['host'], 'listen.host');
  const port = checks.integer(listen['port'], 'listen.port', 0, 65535);
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

function repoOf(value: unknown, checks: Checks): string | undefined {
  if (typeof value === 'string' && REPO_SHAPE.test(value)) return value;
  return checks.fail('repo', 'a directory name under `root` such as "a-1.git" (letters, digits, ".", "_", "-"; no "/")', value);
}

function pushOf(value: unknown, checks: Checks): readonly string[] | undefined {
  const list = checks.array(value, 'push');
  if (!list) return undefined;
  const patterns = list.map((pattern, index) =>
    typeof pattern === 'string' && REF_PATTERN_SHAPE.test(pattern)
      ? pattern
      : checks.fail(`push[${index}]`, 'a ref pattern under refs/ such as "refs/heads/bottle/a-1/*" (no spaces)', pattern),
  );
  return patterns.every((pattern) => pattern !== undefined) ? (patterns as string[]) : undefined;
}

const SECRET_FIELDS = ['name', 'pattern', 'flags'] as const;
const BUILTIN_NAMES = new Set(BUILTIN_SECRET_PATTERNS.map((pattern) => pattern.name));

function secretsOf(value: unknown, checks: Checks): readonly SecretPatternSource[] | undefined {
  const list = checks.array(value, 'secrets');
  if (!list) return undefined;
  const seen = new Set<string>();
  const sources = list.map((item, index) => {
    const field = `secrets[${index}]`;
    const secret = checks.object(item, field, SECRET_FIELDS);
    if (!secret) return undefined;
    const name = checks.text(secret['name'], `${field}.name`);
    const pattern = checks.text(secret['pattern'], `${field}.pattern`);
    const flags = secret['flags'] === undefined ? '' : typeof secret['flags'] === 'string' ? secret['flags'] : checks.fail(`${field}.flags`, 'a string', secret['flags']);
    if (name === undefined || pattern === undefined || flags === undefined) return undefined;
    if (BUILTIN_NAMES.has(name) || seen.has(name)) {
      const whose = BUILTIN_NAMES.has(name) ? 'a built-in pattern' : 'another entry';
      return checks.fail(`${field}.name`, `a name no other secret pattern has (${whose} is already called that)`, name);
    }
    seen.add(name);
    const source: SecretPatternSource = flags === '' ? { name, pattern } : { name, pattern, flags };
    try {
      compileSecretPattern(source);
    } catch (error) {
      checks.problems.push(
        `\`${field}\` ("${name}"): the pattern is not a valid JavaScript regular expression: ${(error as Error).message}. Fix the manifest's pattern.`,
      );
      return undefined;
    }
    return source;
  });
  return sources.every((source) => source !== undefined) ? (sources as SecretPatternSource[]) : undefined;
}

function limitsFrom(value: unknown, checks: Checks): GitGateLimits | undefined {
  const given = checks.object(value, 'limits', Object.keys(LIMIT_RANGES));
  if (!given) return undefined;
  const maxPushBytes = checks.integer(orDefault(given['maxPushBytes'], DEFAULT_GIT_GATE_LIMITS.maxPushBytes), 'limits.maxPushBytes', ...LIMIT_RANGES.maxPushBytes);
  const hookTimeoutMs = checks.integer(orDefault(given['hookTimeoutMs'], DEFAULT_GIT_GATE_LIMITS.hookTimeoutMs), 'limits.hookTimeoutMs', ...LIMIT_RANGES.hookTimeoutMs);
  return maxPushBytes !== undefined && hookTimeoutMs !== undefined ? { maxPushBytes, hookTimeoutMs } : undefined;
}

/** A field left out takes its default; null is a value, and is checked like one. */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
