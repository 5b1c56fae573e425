import { describe, expect, it } from 'vitest';
import { BUILTIN_SECRET_PATTERNS, compileSecretPattern, secretPatterns } from '../../../daemons/common/secret-patterns.js';
import {
  ANTHROPIC_KEY,
  AWS_KEY_ID,
  AWS_SECRET_LINE,
  GCP_SERVICE_ACCOUNT,
  GITHUB_PAT,
  GITHUB_TOKEN,
  GOOGLE_API_KEY,
  OPENAI_LEGACY_KEY,
  OPENAI_PROJECT_KEY,
  privateKey,
  SLACK_TOKEN,
} from './fake-secrets.js';

/** The names of the built-in patterns that match `text`. */
const matching = (text: string): string[] => BUILTIN_SECRET_PATTERNS.filter((pattern) => pattern.regex.test(text)).map((pattern) => pattern.name);

describe('BUILTIN_SECRET_PATTERNS', () => {
  it.each([
    ['private key', privateKey('OPENSSH')],
    ['private key', privateKey('RSA')],
    ['private key', privateKey('EC')],
    ['private key', privateKey('DSA')],
    ['private key', privateKey('ENCRYPTED')],
    ['private key', `-----BEGIN PRIVATE KEY-----\n`],
    ['private key', `-----BEGIN PGP PRIVATE KEY BLOCK-----\n`],
    ['AWS access key id', `key=${AWS_KEY_ID}`],
    ['AWS access key id', `"${AWS_KEY_ID.replace(/^AKIA/, 'ASIA')}"`],
    ['AWS secret access key', AWS_SECRET_LINE],
    ['AWS secret access key', AWS_SECRET_LINE.replace('aws_secret_access_key = ', 'AWS_SECRET_ACCESS_KEY="')],
    ['GCP service account key', GCP_SERVICE_ACCOUNT],
    ['Google API key', `const key = "${GOOGLE_API_KEY}"`],
    ['GitHub token', GITHUB_TOKEN],
    ['GitHub token', GITHUB_PAT],
    ['Anthropic API key', `ANTHROPIC_API_KEY=${ANTHROPIC_KEY}`],
    ['OpenAI API key', OPENAI_PROJECT_KEY],
    ['OpenAI API key', OPENAI_LEGACY_KEY],
    ['Slack token', SLACK_TOKEN],
  ])('finds a %s', (name, text) => {
    expect(matching(text)).toEqual([name]);
  });

  it.each([
    ['a public key', '-----BEGIN PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----'],
    ['a short AKIA word', 'AKIA1234'],
    ['an aws_secret_access_key with no value', 'aws_secret_access_key = ${AWS_SECRET}'],
    ['service_account without a key', '{"type": "service_account", "client_email": "x"}'],
    ['a short gh token', 'ghp_short'],
    ['sk- in a word', `task-${'a'.repeat(48)}`],
    ['plain prose', 'The private key is kept in the vault; see docs/keys.md.'],
  ])('does not flag %s', (_what, text) => {
    expect(matching(text)).toEqual([]);
  });

  it('carries no stateful flag', () => {
    for (const { regex } of BUILTIN_SECRET_PATTERNS) expect(regex.flags).not.toMatch(/[gy]/);
  });
});

describe('compileSecretPattern and secretPatterns', () => {
  it('compiles a manifest pattern with its flags, after the built-ins', () => {
    const patterns = secretPatterns([{ name: 'mine', pattern: 'itk_[0-9a-f]{4}', flags: 'i' }]);
    expect(patterns.slice(0, BUILTIN_SECRET_PATTERNS.length)).toEqual(BUILTIN_SECRET_PATTERNS);
    const mine = patterns.at(-1);
    expect(mine?.name).toBe('mine');
    expect(mine?.regex.test('ITK_ABCD')).toBe(true);
  });

  it('refuses g and y, which make test() stateful', () => {
    expect(() => compileSecretPattern({ name: 'x', pattern: 'a', flags: 'gy' })).toThrow('flags may only be i, m, s, u; got "gy"');
  });
});
