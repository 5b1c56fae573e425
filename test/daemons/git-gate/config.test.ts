import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGitGateConfig, GitGateConfigError, loadGitGateConfig } from '../../../daemons/git-gate/config.js';
import { tempDir } from '../../state/temp-dir.js';

/** The example of config.ts's doc comment, every field given. */
const VALID = {
  listen: { host: '0.0.0.0', port: 8418 },
  root: '/srv/git',
  repo: 'a-1.git',
  push: ['refs/heads/bottle/a-1/*'],
  secrets: [{ name: 'internal token', pattern: 'itk_[0-9a-f]{32}', flags: 'i' }],
  auditLog: '/var/log/bot-bottle/git-gate.jsonl',
  hooksDir: '/opt/bot-bottle/git-hooks',
  limits: { maxPushBytes: 536870912, hookTimeoutMs: 60000 },
};

const { secrets: _secrets, limits: _limits, ...MINIMAL } = VALID;

/** The problems checkGitGateConfig reports for `value`; fails the test if it does not throw a GitGateConfigError. */
function problemsOf(value: unknown): readonly string[] {
  try {
    checkGitGateConfig(value, 'git-gate.json');
  } catch (error) {
    expect(error).toBeInstanceOf(GitGateConfigError);
    const { message, problems } = error as GitGateConfigError;
    expect(message).toContain('git-gate.json');
    for (const problem of problems) expect(message).toContain(problem);
    return problems;
  }
  throw new Error('expected checkGitGateConfig to throw');
}

describe('checkGitGateConfig', () => {
  it('accepts the documented example as it is', () => {
    expect(checkGitGateConfig(VALID)).toEqual(VALID);
  });

  it('fills in secrets and the limits when left out, and each limit on its own', () => {
    expect(checkGitGateConfig(MINIMAL)).toEqual({ ...MINIMAL, secrets: [], limits: { maxPushBytes: 512 * 1024 * 1024, hookTimeoutMs: 60_000 } });
    expect(checkGitGateConfig({ ...MINIMAL, limits: { hookTimeoutMs: 500 } }).limits).toEqual({ maxPushBytes: 512 * 1024 * 1024, hookTimeoutMs: 500 });
  });

  it('takes an empty push list (every push refused)', () => {
    expect(checkGitGateConfig({ ...MINIMAL, push: [] }).push).toEqual([]);
  });

  it('names every bad field at once, saying what was expected and what it got', () => {
    expect(
      problemsOf({
        listen: { host: '', port: 70000 },
        root: 'srv/git',
        repo: '../other.git',
        push: ['refs/heads/bottle/*', 'main', 'refs/heads/a b'],
        secrets: 'none',
        auditLog: 42,
        limits: { maxPushBytes: 10, hookTimeoutMs: 1.5, maxBytes: 1 },
        hookDir: '/x',
      }),
    ).toEqual([
      '`hookDir`: unknown field; valid fields are listen, root, repo, push, secrets, auditLog, hooksDir, limits.',
      '`listen.host`: expected a non-empty string, got "" (string).',
      '`listen.port`: expected an integer from 0 to 65535, got 70000 (number).',
      '`root`: expected an absolute path (starting with /), got "srv/git" (string).',
      '`repo`: expected a directory name under `root` such as "a-1.git" (letters, digits, ".", "_", "-"; no "/"), got "../other.git" (string).',
      '`push[1]`: expected a ref pattern under refs/ such as "refs/heads/bottle/a-1/*" (no spaces), got "main" (string).',
      '`push[2]`: expected a ref pattern under refs/ such as "refs/heads/bottle/a-1/*" (no spaces), got "refs/heads/a b" (string).',
      '`secrets`: expected an array, got "none" (string).',
      '`auditLog`: expected an absolute path (starting with /), got 42 (number).',
      '`hooksDir`: expected an absolute path (starting with /), got nothing (the field is missing).',
      '`limits.maxBytes`: unknown field; valid fields are maxPushBytes, hookTimeoutMs.',
      '`limits.maxPushBytes`: expected an integer from 1024 to 9007199254740991, got 10 (number).',
      '`limits.hookTimeoutMs`: expected an integer from 100 to 2147483647, got 1.5 (number).',
    ]);
  });

  it('names a secret pattern that is not a valid regex, by its name, and bad flags and names', () => {
    expect(
      problemsOf({
        ...MINIMAL,
        secrets: [
          { name: 'broken', pattern: 'token_(' },
          { name: 'global', pattern: 'x', flags: 'g' },
          { name: 'private key', pattern: 'y' },
          { name: 'twice', pattern: 'a' },
          { name: 'twice', pattern: 'b' },
          { name: '', pattern: 'c', extra: 1 },
        ],
      }),
    ).toEqual([
      '`secrets[0]` ("broken"): the pattern is not a valid JavaScript regular expression: Invalid regular expression: /token_(/: Unterminated group. Fix the manifest\'s pattern.',
      '`secrets[1]` ("global"): the pattern is not a valid JavaScript regular expression: flags may only be i, m, s, u; got "g". Fix the manifest\'s pattern.',
      '`secrets[2].name`: expected a name no other secret pattern has (a built-in pattern is already called that), got "private key" (string).',
      '`secrets[4].name`: expected a name no other secret pattern has (another entry is already called that), got "twice" (string).',
      '`secrets[5].extra`: unknown field; valid fields are name, pattern, flags.',
      '`secrets[5].name`: expected a non-empty string, got "" (string).',
    ]);
  });

  it('says what the root is when it is not an object', () => {
    expect(problemsOf([])).toEqual(['`(root)`: expected an object, got an array.']);
  });
});

describe('loadGitGateConfig', () => {
  it('reads and checks a file', async () => {
    const path = join(await tempDir(), 'git-gate.json');
    await writeFile(path, JSON.stringify(MINIMAL));
    expect((await loadGitGateConfig(path)).repo).toBe('a-1.git');
  });

  it('names the file it cannot read or parse, and the one that is invalid', async () => {
    const dir = await tempDir();
    await expect(loadGitGateConfig(join(dir, 'missing.json'))).rejects.toThrow(`Cannot read the git gate config ${join(dir, 'missing.json')}`);
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await expect(loadGitGateConfig(join(dir, 'bad.json'))).rejects.toThrow(`The git gate config ${join(dir, 'bad.json')} is not valid JSON`);
    await writeFile(join(dir, 'invalid.json'), JSON.stringify({ ...MINIMAL, repo: 'a/b' }));
    const error = await loadGitGateConfig(join(dir, 'invalid.json')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitGateConfigError);
    expect((error as GitGateConfigError).message).toContain(`Invalid git gate config ${join(dir, 'invalid.json')}:\n  - \`repo\``);
  });
});
