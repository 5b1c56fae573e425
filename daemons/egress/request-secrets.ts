/**
 * Looks for a secret in what an inspected request would send upstream: its
 * path and query, its headers (the one an injected credential replaces is
 * left out by the caller) and its body. A secret is a value of any injected
 * credential (the agent echoing a key it saw, to any host), or the token of
 * one that has an auth scheme (`Bearer <token>`), as written or
 * percent-encoded, or text a built-in secret pattern matches
 * (../common/secret-patterns.ts, scanned as the git gate scans a push). The
 * finding names what and where, never the text. It does not refuse or
 * answer anything.
 */
import type { SecretPattern } from '../common/secret-patterns.js';
import { BUILTIN_SECRET_PATTERNS } from '../common/secret-patterns.js';
import { scanForSecrets } from '../common/secret-scan.js';
import type { Credential } from './credentials.js';

export interface RequestParts {
  /** The request path with its query. */
  readonly path: string;
  /** Name (lower case) and value of each header to be sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

export interface SecretFinding {
  /** `private key`, `the credential for api.example.com`: a pattern's name or the credential's owner. */
  readonly what: string;
  /** `the body`, `the path`, `the header x-note`. */
  readonly where: string;
}

/** The first secret found, credentials first, or undefined. */
export async function findSecret(
  parts: RequestParts,
  credentials: readonly Credential[],
  patterns: readonly SecretPattern[] = BUILTIN_SECRET_PATTERNS,
): Promise<SecretFinding | undefined> {
  const places: ReadonlyArray<readonly [string, string]> = [['the path', parts.path], ...parts.headers.map(([name, value]) => [`the header ${name}`, value] as const)];

  for (const credential of credentials) {
    const what = `the credential for ${credential.host}`;
    const forms = credentialForms(credential);
    for (const [where, text] of places) if (forms.some((form) => text.includes(form))) return { what, where };
    if (forms.some((form) => parts.body.includes(form))) return { what, where: 'the body' };
  }

  for (const [where, text] of places) {
    const hit = patterns.find((pattern) => pattern.regex.test(text));
    if (hit) return { what: hit.name, where };
  }
  if (parts.body.length === 0) return undefined;
  const [name] = await scanForSecrets(once(parts.body), patterns);
  return name === undefined ? undefined : { what: name, where: 'the body' };
}

/** `Bearer <token>`, `token <token>`: a scheme, then a token long enough not to be found by chance. */
const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9_-]* +(\S{8,})$/;

/** The texts that give a credential away: its value and, after an auth scheme, its token alone; each as written and percent-encoded. */
export function credentialForms(credential: Credential): readonly string[] {
  const token = AUTH_SCHEME.exec(credential.value)?.[1];
  const texts = token === undefined ? [credential.value] : [credential.value, token];
  return [...new Set(texts.flatMap((text) => [text, encodeURIComponent(text)]))];
}

async function* once(body: Buffer): AsyncGenerator<Buffer> {
  yield body;
}
