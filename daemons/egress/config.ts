/**
 * The egress daemon's config file: read once at start, validated whole,
 * normalised (hosts lower-cased, brackets and trailing dots dropped, IP
 * literals and CIDR blocks in canonical form) and completed with the
 * defaults of the optional sections, so the servers downstream trust it.
 * Every problem is reported at once, each naming its field (the field checks
 * are config-checks.ts; the allow, hosts and deny sections are read by
 * config-destinations.ts). It does not open files named in the config (the
 * audit log, TLS files, policy file, credentials, leaves and upstream CAs
 * are opened by their own modules).
 *
 * ```json
 * { "listen": { "host": "0.0.0.0", "port": 3128 },
 *   "allow": [{ "host": "api.example.com", "port": 443 }, { "host": "*.npmjs.org", "port": null },
 *             { "host": "10.0.0.0/8", "port": 443 }, { "host": "127.0.0.1", "port": 3129 }],
 *   "hosts": { "ca-probe.bottle.internal": "127.0.0.1" },
 *   "deny": ["10.213.0.0/16"],
 *   "auditLog": "/var/log/bot-bottle/egress.jsonl",
 *   "audit": { "maxBytes": 67108864, "keep": 2 },
 *   "limits": { "maxConnections": 256, "idleTimeoutMs": 300000 },
 *   "tls": { "host": "127.0.0.1", "port": 3129,
 *            "cert": "/etc/bot-bottle/tls/server.crt", "key": "/etc/bot-bottle/tls/server.key" },
 *   "policyFile": "/etc/bot-bottle/policy.json",
 *   "inspect": { "leafDir": "/etc/bot-bottle/leaves", "credentialsFile": "/etc/bot-bottle/credentials.json",
 *                "upstreamCaFiles": ["/etc/bot-bottle/upstream-ca.pem"], "maxBodyBytes": 33554432 } }
 * ```
 * `hosts`, `deny`, `audit`, `limits` (and each of their fields) and `tls.host`
 * may be left out: they default to {}, [], 64 MiB and 2 files, 256 connections
 * and 5 minutes, and 127.0.0.1. When `policyFile` is given, the policy (allow,
 * hosts, deny, denyHosts) comes from that file (policy.ts) and `allow`, `hosts`
 * and `deny` here are checked but not used; `allow` may then be left out.
 * `inspect` is needed by any rule with `"inspect": true`; its
 * `credentialsFile` and `upstreamCaFiles` may be left out, `maxBodyBytes`
 * defaults to 32 MiB.
 */
import { readJsonConfig } from '../common/config-file.js';
import type { AllowRule } from './allowlist.js';
import type { Checks } from '../common/config-checks.js';
import { createChecks } from '../common/config-checks.js';
import { allowRules, denyBlocks, hostsMap } from './config-destinations.js';

export interface ListenConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
}

export interface AuditConfig {
  /** The audit log rotates before it would pass this size. */
  readonly maxBytes: number;
  /** How many rotated files are kept (`egress.jsonl.1` ...). */
  readonly keep: number;
}

export interface LimitsConfig {
  /** Client connections open at once, tunnels included; more are dropped. */
  readonly maxConnections: number;
  /** A connection or tunnel with no byte either way for this long is cut. */
  readonly idleTimeoutMs: number;
}

export interface TlsConfig {
  /** Where the HTTPS health server listens: loopback, reached through the proxy. */
  readonly host: string;
  readonly port: number;
  /** Paths to PEM files. */
  readonly cert: string;
  readonly key: string;
}

export interface InspectConfig {
  /** Where bottle puts the leaf certificates: `<host>.crt` and `.key`, `_wildcard.<domain>.crt` for `*.domain`. */
  readonly leafDir: string;
  /** `{ "credentials": [{ "host", "header", "value" }] }` (credentials.ts); re-read when it changes. */
  readonly credentialsFile?: string;
  /** PEM files trusted for upstream TLS on top of Node's root store. */
  readonly upstreamCaFiles: readonly string[];
  /** The largest request body an inspected request may carry; it is buffered to be scanned. */
  readonly maxBodyBytes: number;
}

export interface EgressConfig {
  readonly listen: ListenConfig;
  /** The policy when no `policyFile` is given. */
  readonly allow: readonly AllowRule[];
  /** The proxy's own resolutions, name -> IP literal, checked before DNS. */
  readonly hosts: Readonly<Record<string, string>>;
  /** CIDR blocks refused like private addresses. */
  readonly deny: readonly string[];
  /** Path of the JSON-lines audit log; its directory is created if missing. */
  readonly auditLog: string;
  readonly audit: AuditConfig;
  readonly limits: LimitsConfig;
  readonly tls?: TlsConfig;
  /** Where the live policy is (policy.ts); it then replaces allow, hosts and deny. */
  readonly policyFile?: string;
  readonly inspect?: InspectConfig;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_AUDIT: AuditConfig = { maxBytes: 64 * 1024 * 1024, keep: 2 };
export const DEFAULT_LIMITS: LimitsConfig = { maxConnections: 256, idleTimeoutMs: 300_000 };
export const DEFAULT_TLS_HOST = '127.0.0.1';

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
  const value = await readJsonConfig(path, 'egress config', (message, cause) => new EgressConfigError(message, [], cause));
  return parseConfig(value, path);
}

const ROOT_FIELDS = ['listen', 'allow', 'hosts', 'deny', 'auditLog', 'audit', 'limits', 'tls', 'policyFile', 'inspect'] as const;
const INSPECT_FIELDS = ['leafDir', 'credentialsFile', 'upstreamCaFiles', 'maxBodyBytes'] as const;
const MAX_BODY_RANGE = [1024, 1024 * 1024 * 1024] as const;
const LISTEN_FIELDS = ['host', 'port'] as const;
const TLS_FIELDS = ['host', 'port', 'cert', 'key'] as const;
const AUDIT_RANGES = { maxBytes: [1024, Number.MAX_SAFE_INTEGER], keep: [0, 100] } as const;
// idleTimeoutMs: a timer cannot wait longer than 2^31 - 1 ms.
const LIMITS_RANGES = { maxConnections: [1, 100_000], idleTimeoutMs: [100, 2_147_483_647] } as const;

/** Validates a parsed config and fills in defaults; `source` (a path) only goes into the error message. */
export function parseConfig(value: unknown, source = 'egress config'): EgressConfig {
  const checks = createChecks();
  const root = checks.object(value, '(root)', ROOT_FIELDS);
  const listen = root && listenConfig(root['listen'], checks);
  const inspect = root && root['inspect'] !== undefined ? inspectConfig(root['inspect'], checks) : undefined;
  const policyFile = root && root['policyFile'] !== undefined ? checks.absolutePath(root['policyFile'], 'policyFile') : undefined;
  const canInspect = root?.['inspect'] !== undefined;
  const allow = root && allowRules(orDefault(root['allow'], policyFile === undefined ? undefined : []), checks, { canInspect });
  const hosts = root && hostsMap(orDefault(root['hosts'], {}), checks);
  const deny = root && denyBlocks(orDefault(root['deny'], []), checks);
  const auditLog = root && checks.text(root['auditLog'], 'auditLog');
  const audit = root && integers(orDefault(root['audit'], {}), 'audit', DEFAULT_AUDIT, AUDIT_RANGES, checks);
  const limits = root && integers(orDefault(root['limits'], {}), 'limits', DEFAULT_LIMITS, LIMITS_RANGES, checks);
  const tls = root && root['tls'] !== undefined ? tlsConfig(root['tls'], checks) : undefined;
  if (listen && tls && listen.port !== 0 && listen.port === tls.port) {
    checks.problems.push(`\`tls.port\`: expected a port other than \`listen.port\`, got ${tls.port} for both.`);
  }

  const { problems } = checks;
  if (problems.length > 0 || !listen || !allow || !hosts || !deny || auditLog === undefined || !audit || !limits) {
    const list = problems.map((problem) => `  - ${problem}`).join('\n');
    throw new EgressConfigError(`Invalid egress config ${source}:\n${list}`, problems);
  }
  return {
    listen, allow, hosts, deny, auditLog, audit, limits,
    ...(tls ? { tls } : {}),
    ...(policyFile !== undefined ? { policyFile } : {}),
    ...(inspect ? { inspect } : {}),
  };
}

function inspectConfig(value: unknown, checks: Checks): InspectConfig | undefined {
  const inspect = checks.object(value, 'inspect', INSPECT_FIELDS);
  if (!inspect) return undefined;
  const leafDir = checks.absolutePath(inspect['leafDir'], 'inspect.leafDir');
  const credentialsFile = inspect['credentialsFile'] === undefined ? undefined : checks.absolutePath(inspect['credentialsFile'], 'inspect.credentialsFile');
  const caFiles = checks.array(orDefault(inspect['upstreamCaFiles'], []), 'inspect.upstreamCaFiles');
  const upstreamCaFiles = caFiles?.map((file, index) => checks.absolutePath(file, `inspect.upstreamCaFiles[${index}]`));
  const [min, max] = MAX_BODY_RANGE;
  const maxBodyBytes = checks.integer(orDefault(inspect['maxBodyBytes'], DEFAULT_MAX_BODY_BYTES), 'inspect.maxBodyBytes', min, max);
  if (leafDir === undefined || maxBodyBytes === undefined || !upstreamCaFiles || upstreamCaFiles.some((file) => file === undefined)) return undefined;
  if (inspect['credentialsFile'] !== undefined && credentialsFile === undefined) return undefined;
  return { leafDir, ...(credentialsFile !== undefined ? { credentialsFile } : {}), upstreamCaFiles: upstreamCaFiles as string[], maxBodyBytes };
}

function listenConfig(value: unknown, checks: Checks): ListenConfig | undefined {
  const listen = checks.object(value, 'listen', LISTEN_FIELDS);
  if (!listen) return undefined;
  const host = checks.text(listen['host'], 'listen.host');
  const port = checks.integer(listen['port'], 'listen.port', 0, 65535);
  return host !== undefined && port !== undefined ? { host, port } : undefined;
}

/** A section of integer fields, each defaulting to `defaults[key]` and checked against `ranges[key]`. */
function integers<T extends { readonly [K in keyof T]: number }>(
  value: unknown,
  field: string,
  defaults: T,
  ranges: Record<keyof T, readonly [number, number]>,
  checks: Checks,
): T | undefined {
  const given = checks.object(value, field, Object.keys(defaults));
  if (!given) return undefined;
  const section: Record<string, number | undefined> = {};
  for (const [key, [min, max]] of Object.entries<readonly [number, number]>(ranges)) {
    section[key] = checks.integer(orDefault(given[key], defaults[key as keyof T]), `${field}.${key}`, min, max);
  }
  return Object.values(section).every((number) => number !== undefined) ? (section as unknown as T) : undefined;
}

function tlsConfig(value: unknown, checks: Checks): TlsConfig | undefined {
  const tls = checks.object(value, 'tls', TLS_FIELDS);
  if (!tls) return undefined;
  const host = checks.text(orDefault(tls['host'], DEFAULT_TLS_HOST), 'tls.host');
  const port = checks.integer(tls['port'], 'tls.port', 0, 65535);
  const cert = checks.text(tls['cert'], 'tls.cert');
  const key = checks.text(tls['key'], 'tls.key');
  return host !== undefined && port !== undefined && cert !== undefined && key !== undefined ? { host, port, cert, key } : undefined;
}

/** A field left out takes its default; null is a value, and is checked like one. */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
