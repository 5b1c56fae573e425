/**
 * The egress daemon's config file: read once at start, validated whole, and
 * normalised (allow hosts lower-cased, brackets and trailing dots dropped) so
 * the servers downstream trust it. Every problem is reported at once, each
 * naming its field. It does not open files named in the config (the audit
 * log and TLS files are opened by their own modules).
 *
 * ```json
 * { "listen": { "host": "0.0.0.0", "port": 3128 },
 *   "allow": [{ "host": "api.example.com", "port": 443 }, { "host": "*.npmjs.org", "port": null }],
 *   "auditLog": "/var/log/bot-bottle/egress.jsonl",
 *   "tls": { "port": 3129, "cert": "/etc/bot-bottle/tls/server.crt", "key": "/etc/bot-bottle/tls/server.key" } }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { AllowRule } from './allowlist.js';
import { isHostName, normalizeHost } from './host-name.js';

export interface ListenConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface TlsConfig {
  /** The HTTPS health server listens on `listen.host` at this port. */
  readonly port: number;
  /** Paths to PEM files. */
  readonly cert: string;
  readonly key: string;
}

export interface EgressConfig {
  readonly listen: ListenConfig;
  readonly allow: readonly AllowRule[];
  /** Path of the JSON-lines audit log; its directory is created if missing. */
  readonly auditLog: string;
  readonly tls?: TlsConfig;
}

/** A config that cannot be read or is not valid; `problems` has one sentence per bad field. */
export class EgressConfigError extends Error {
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EgressConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the config file at `path`. */
export async function loadConfig(path: string): Promise<EgressConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EgressConfigError(
      `Cannot read the egress config ${path}: ${(error as Error).message}. Pass the path of a JSON config file.`,
      [],
      error,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EgressConfigError(`The egress config ${path} is not valid JSON: ${(error as Error).message}.`, [], error);
  }
  return parseConfig(value, path);
}

const ROOT_FIELDS = ['listen', 'allow', 'auditLog', 'tls'] as const;
const LISTEN_FIELDS = ['host', 'port'] as const;
const RULE_FIELDS = ['host', 'port'] as const;
const TLS_FIELDS = ['port', 'cert', 'key'] as const;

/** Validates a parsed config; `source` (a path) only goes into the error message. */
export function parseConfig(value: unknown, source = 'egress config'): EgressConfig {
  const problems: string[] = [];
  const fail = (field: string, expected: string, got: unknown): undefined => {
    problems.push(`\`${field}\`: expected ${expected}, got ${describe(got)}.`);
    return undefined;
  };

  const root = object(value, '(root)', ROOT_FIELDS, problems);
  const listen = root && listenConfig(root['listen'], fail, problems);
  const allow = root && allowRules(root['allow'], fail, problems);
  const auditLog = root && text(root['auditLog'], 'auditLog', fail);
  const tls = root && root['tls'] !== undefined ? tlsConfig(root['tls'], fail, problems) : undefined;
  if (listen && tls && listen.port !== 0 && listen.port === tls.port) {
    problems.push(`\`tls.port\`: expected a port other than \`listen.port\`, got ${tls.port} for both.`);
  }

  if (problems.length > 0 || !listen || !allow || auditLog === undefined) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n');
    throw new EgressConfigError(`Invalid egress config ${source}:\n${list}`, problems);
  }
  return tls ? { listen, allow, auditLog, tls } : { listen, allow, auditLog };
}

type Fail = (field: string, expected: string, got: unknown) => undefined;

function listenConfig(value: unknown, fail: Fail, problems: string[]): ListenConfig | undefined {
  const listen = object(value, 'listen', LISTEN_FIELDS, problems);
  if (!listen) return undefined;
  const host = text(listen['host'], 'listen.host', fail);
  const port = portNumber(listen['port'], 'listen.port', 0, fail);
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

function allowRules(value: unknown, fail: Fail, problems: string[]): AllowRule[] | undefined {
  if (!Array.isArray(value)) return fail('allow', 'an array of { "host", "port" } rules', value);
  const rules = value.map((entry: unknown, index) => allowRule(entry, `allow[${index}]`, fail, problems));
  return rules.every((rule) => rule !== undefined) ? (rules as AllowRule[]) : undefined;
}

function allowRule(value: unknown, field: string, fail: Fail, problems: string[]): AllowRule | undefined {
  const rule = object(value, field, RULE_FIELDS, problems);
  if (!rule) return undefined;
  const host = hostPattern(rule['host'], `${field}.host`, fail);
  const port = rule['port'] === null ? null : portNumber(rule['port'], `${field}.port`, 1, fail, ' or null (80 and 443)');
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

function hostPattern(value: unknown, field: string, fail: Fail): string | undefined {
  const expected = 'a host name, an IP literal or *.domain';
  if (typeof value !== 'string') return fail(field, expected, value);
  const host = normalizeHost(value);
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (!isHostName(name) || (wildcard && isIP(name) !== 0)) return fail(field, expected, value);
  return host;
}

function tlsConfig(value: unknown, fail: Fail, problems: string[]): TlsConfig | undefined {
  const tls = object(value, 'tls', TLS_FIELDS, problems);
  if (!tls) return undefined;
  const port = portNumber(tls['port'], 'tls.port', 0, fail);
  const cert = text(tls['cert'], 'tls.cert', fail);
  const key = text(tls['key'], 'tls.key', fail);
  return port !== undefined && cert !== undefined && key !== undefined ? { port, cert, key } : undefined;
}

/** A plain object whose keys are all known; unknown keys are problems (a typo must not pass silently). */
function object(
  value: unknown,
  field: string,
  known: readonly string[],
  problems: string[],
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`\`${field}\`: expected an object, got ${describe(value)}.`);
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const prefix = field === '(root)' ? '' : `${field}.`;
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      problems.push(`\`${prefix}${key}\`: unknown field; valid fields are ${known.join(', ')}.`);
    }
  }
  return record;
}

function text(value: unknown, field: string, fail: Fail): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : fail(field, 'a non-empty string', value);
}

function portNumber(value: unknown, field: string, min: number, fail: Fail, orElse = ''): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 65535
    ? value
    : fail(field, `an integer from ${min} to 65535${orElse}`, value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}
