/**
 * Secret-shaped test strings, built from pieces so this source file itself
 * holds none a secret scanner would flag. None is a real credential.
 */

const BEGIN = '-----BEGIN';
/** A fake key body; tests check it never reaches the pusher or the audit log. */
export const KEY_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUxOQ';

export function privateKey(kind = 'OPENSSH'): string {
  return `${BEGIN} ${kind} PRIVATE KEY-----\n${KEY_BODY}\n-----END ${kind} PRIVATE KEY-----\n`;
}

export const AWS_KEY_ID = ['AK', 'IA', 'Q3EGRIZ7EXAMPLE1'].join('');
export const AWS_SECRET_LINE = `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCY'}${'EXAMPLEKE'}Y`;
export const GITHUB_TOKEN = ['gh', 'p_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');
export const GITHUB_PAT = ['github', '_pat_', '11ABCDEFG0', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('');
export const ANTHROPIC_KEY = ['sk', '-ant-', 'api03-', 'x'.repeat(40)].join('');
export const OPENAI_PROJECT_KEY = ['sk', '-proj-', 'Y'.repeat(40)].join('');
export const OPENAI_LEGACY_KEY = ['sk', '-', 'Z9'.repeat(24)].join('');
export const GOOGLE_API_KEY = ['AI', 'za', 'SyA1234567890abcdefghijklmnopqrstuv'].join('');
export const SLACK_TOKEN = ['xo', 'xb-', '123456789012-abcdefghijkl'].join('');
export const GCP_SERVICE_ACCOUNT = JSON.stringify(
  { type: 'service_account', project_id: 'demo', private_key_id: 'abc', ['private' + '_key']: 'redacted', client_email: 'a@demo.iam' },
  null,
  2,
);
