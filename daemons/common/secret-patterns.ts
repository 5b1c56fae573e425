/**
 * The secret patterns, one definition for both daemons: the git gate scans a
 * push for them (the built-in ones and the bottle manifest's own, compiled
 * from JavaScript RegExp source), the egress proxy an inspected request (the
 * built-in ones). Their names are shown to the agent and in the audit logs,
 * so they say what was found in plain words. It does not scan anything
 * (secret-scan.ts does) nor read a config.
 *
 * A pattern should match a secret in at most a few thousand characters:
 * content is scanned in windows that overlap by OVERLAP_CHARS (secret-scan.ts),
 * and a longer match split across two windows can be missed.
 */

export interface SecretPattern {
  /** Shown to the agent and in the audit log, never the text it matched. */
  readonly name: string;
  /** Tested with `test`, so it carries no `g` or `y` flag (they would make it stateful). */
  readonly regex: RegExp;
}

/** A pattern as the config gives it. */
export interface SecretPatternSource {
  readonly name: string;
  /** JavaScript RegExp source, without slashes. */
  readonly pattern: string;
  readonly flags?: string;
}

/** Flags a manifest pattern may carry; `g` and `y` are refused, they make `test` stateful. */
export const SECRET_FLAGS = 'imsu';

export const BUILTIN_SECRET_PATTERNS: readonly SecretPattern[] = [
  // OPENSSH, RSA, EC, DSA, ENCRYPTED, plain PKCS#8, and PGP's "PRIVATE KEY BLOCK".
  { name: 'private key', regex: /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----/ },
  { name: 'AWS access key id', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  {
    name: 'AWS secret access key',
    regex: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/i,
  },
  // A key file has both fields, a few hundred characters apart, in either order.
  {
    name: 'GCP service account key',
    regex: /"type"\s*:\s*"service_account"[\s\S]{0,4096}?"private_key"\s*:|"private_key"\s*:[\s\S]{0,4096}?"type"\s*:\s*"service_account"/,
  },
  { name: 'Google API key', regex: /\bAIza[0-9A-Za-z_-]{35}/ },
  { name: 'GitHub token', regex: /\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}/ },
  { name: 'Anthropic API key', regex: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { name: 'OpenAI API key', regex: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{48}(?![A-Za-z0-9])/ },
  { name: 'Slack token', regex: /\bxox[baprs]-[A-Za-z0-9-]{10,}/ },
];

/** Compiles one manifest pattern; the message of the error says why it is not a valid RegExp. */
export function compileSecretPattern(source: SecretPatternSource): SecretPattern {
  const flags = source.flags ?? '';
  const bad = [...flags].filter((flag) => !SECRET_FLAGS.includes(flag));
  if (bad.length > 0) throw new SyntaxError(`flags may only be ${[...SECRET_FLAGS].join(', ')}; got ${JSON.stringify(flags)}`);
  return { name: source.name, regex: new RegExp(source.pattern, flags) };
}

/** The built-in patterns followed by the manifest's; the config checker has already compiled each once. */
export function secretPatterns(extra: readonly SecretPatternSource[]): readonly SecretPattern[] {
  return [...BUILTIN_SECRET_PATTERNS, ...extra.map(compileSecretPattern)];
}
