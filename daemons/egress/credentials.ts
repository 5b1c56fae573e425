/**
 * The credentials the proxy injects into inspected requests, from the file
 * named by `inspect.credentialsFile`:
 *
 * ```json
 * { "credentials": [{ "host": "api.example.com", "header": "x-api-key", "value": "..." },
 *                   { "host": "api.other.test", "header": "authorization", "value": "Bearer ..." }] }
 * ```
 * It validates the file, finds the credentials for a host, and names the
 * credentials no inspect rule covers. A value never appears in a message it
 * makes: problems name the entry, its host and header, and a file that is not
 * JSON is reported without the parser's words (they quote the text). It does
 * not set headers (inspect-request.ts does) or watch the file (live-file.ts).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { AllowRule } from './allowlist.js';
import { matchesHost } from './allowlist.js';
import { EgressConfigError } from './config.js';
import { isHostName, normalizeHost } from './host-name.js';

export interface Credential {
  /** A name or `*.domain`, normalised. */
  readonly host: string;
  /** Lower case. */
  readonly header: string;
  readonly value: string;
}

export interface Credentials {
  readonly credentials: readonly Credential[];
}

export const NO_CREDENTIALS: Credentials = { credentials: [] };

const ROOT_FIELDS = ['credentials'] as const;
const ENTRY_FIELDS = ['host', 'header', 'value'] as const;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/** Headers the proxy frames or routes by itself; a credential cannot be one. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'expect']);
/** A shorter value would be found by chance in ordinary requests, which are refused when they carry one. */
const MIN_VALUE_CHARS = 8;

/** Validates a parsed credentials file; `source` (its path) goes into the error message. */
export function parseCredentials(value: unknown, source: string): Credentials {
  const problems: string[] = [];
  // Every problem describes what it got by its shape only: a misplaced value must not reach a message.
  const fail = (field: string, expected: string, got: unknown): undefined => {
    problems.push(`\`${field}\`: expected ${expected}, got ${shapeOf(got)}.`);
    return undefined;
  };
  const root = isRecord(value) ? value : fail('(root)', 'an object { "credentials": [...] }', value);
  for (const key of Object.keys(root ?? {})) {
    if (!(ROOT_FIELDS as readonly string[]).includes(key)) problems.push(`\`${key}\`: unknown field; valid fields are ${ROOT_FIELDS.join(', ')}.`);
  }
  const list = root && (Array.isArray(root['credentials']) ? (root['credentials'] as unknown[]) : fail('credentials', 'an array of { "host", "header", "value" }', root['credentials']));
  const credentials = (list ?? []).map((entry, index): Credential | undefined => {
    const field = `credentials[${index}]`;
    if (!isRecord(entry)) return fail(field, 'an object { "host", "header", "value" }', entry);
    for (const key of Object.keys(entry)) {
      if (!(ENTRY_FIELDS as readonly string[]).includes(key)) problems.push(`\`${field}.${key}\`: unknown field; valid fields are ${ENTRY_FIELDS.join(', ')}.`);
    }
    const host = credentialHost(entry['host']);
    if (host === undefined) fail(`${field}.host`, 'a host name or *.domain', entry['host']);
    const header = typeof entry['header'] === 'string' ? entry['header'].trim().toLowerCase() : '';
    const headerOk = TOKEN.test(header) && !RESERVED.has(header) && !header.startsWith('proxy-');
    if (!headerOk) fail(`${field}.header`, 'a header name such as x-api-key or authorization (not Host, a framing or a proxy- header)', entry['header']);
    const secret = entry['value'];
    const problem = typeof secret === 'string' ? valueProblem(secret) : `got ${shapeOf(secret)}`;
    if (problem) problems.push(`\`${field}.value\`: expected a string of at least ${MIN_VALUE_CHARS} characters and no control characters, ${problem}.`);
    return host !== undefined && headerOk && !problem ? { host, header, value: secret as string } : undefined;
  });
  const seen = new Set<string>();
  credentials.forEach((credential, index) => {
    if (!credential) return;
    const key = `${credential.host} ${credential.header}`;
    if (seen.has(key)) problems.push(`\`credentials[${index}]\`: a second value for ${credential.header} on ${credential.host}; keep one.`);
    seen.add(key);
  });
  if (problems.length > 0 || !list) {
    throw new EgressConfigError(`Invalid credentials file ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, problems);
  }
  return { credentials: credentials as Credential[] };
}

/** Reads and validates the credentials file. */
export async function readCredentialsFile(path: string): Promise<Credentials> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new EgressConfigError(`Cannot read the credentials file ${path}: ${(error as Error).message}. Write it before the bottle starts.`, [], error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a credential.
    throw new EgressConfigError(`The credentials file ${path} is not valid JSON (the parser's message is withheld: it may quote a credential).`);
  }
  return parseCredentials(value, path);
}

/** The credentials to set on a request to `host`. */
export function credentialsFor(credentials: Credentials, host: string): readonly Credential[] {
  return credentials.credentials.filter((credential) => matchesHost(credential.host, host));
}

/** One sentence per credential no inspect rule covers: it would never be injected. */
export function uncoveredCredentials(credentials: Credentials, allow: readonly AllowRule[]): string[] {
  const inspected = allow.filter((rule) => rule.inspect === true);
  return credentials.credentials.flatMap((credential, index) => {
    const covered = inspected.some((rule) => rule.host === credential.host || matchesHost(rule.host, credential.host));
    return covered
      ? []
      : [`credentials[${index}] (${credential.header} for ${credential.host}): no allow rule with "inspect": true matches ${credential.host}, so it is never injected; inspect the host or remove the credential.`];
  });
}

function credentialHost(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const wildcard = value.trim().startsWith('*.');
  const name = normalizeHost(wildcard ? value.trim().slice(2) : value);
  if (!isHostName(name) || isIP(name) !== 0) return undefined;
  return wildcard ? `*.${name}` : name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a value is, never what it says. */
function shapeOf(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function valueProblem(value: string): string | undefined {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return 'got one with a line break or another control character';
  // node refuses such a header value when the request is made: every request to the host would fail.
  if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) return 'got one with a character outside Latin-1, which a header cannot carry';
  if (value.trim().length < MIN_VALUE_CHARS) return `got one of ${value.trim().length} characters`;
  return undefined;
}
