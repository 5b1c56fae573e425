import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SuperviseConfigError, checkSuperviseConfig, loadSuperviseConfig } from '../../../daemons/supervise/config.js';
import { tempDir } from '../../state/temp-dir.js';

/** The example of config.ts's doc comment. */
const VALID = { listen: { host: '0.0.0.0', port: 8765 }, dir: '/var/lib/bot-bottle/supervise', askTimeoutMs: 1_800_000, pollMs: 250 };

/** The problems checkSuperviseConfig reports for `value`; fails the test if it does not throw a SuperviseConfigError. */
function problemsOf(value: unknown): readonly string[] {
  try {
    checkSuperviseConfig(value, 'supervise.json');
  } catch (error) {
    expect(error).toBeInstanceOf(SuperviseConfigError);
    const { message, problems } = error as SuperviseConfigError;
    expect(message).toContain('supervise.json');
    for (const problem of problems) expect(message).toContain(problem);
    return problems;
  }
  throw new Error('expected checkSuperviseConfig to throw');
}

describe('checkSuperviseConfig', () => {
  it('accepts the documented example as it is', () => {
    expect(checkSuperviseConfig(VALID)).toEqual(VALID);
  });

  it('fills in pollMs when it is left out', () => {
    const { pollMs: _, ...rest } = VALID;
    expect(checkSuperviseConfig(rest)).toEqual({ ...rest, pollMs: 250 });
  });

  it('names each bad field, with what was expected and what it got, all at once', () => {
    expect(problemsOf({ listen: { host: '', port: 70000 }, dir: 'relative/dir', askTimeoutMs: 50, pollMs: '250' })).toEqual([
      '`listen.host`: expected a non-empty string, got "" (string).',
      '`listen.port`: expected an integer from 0 to 65535, got 70000 (number).',
      '`dir`: expected an absolute path, got "relative/dir" (string).',
      '`askTimeoutMs`: expected an integer from 100 to 2147483647, got 50 (number).',
      '`pollMs`: expected an integer from 10 to 60000, got "250" (string).',
    ]);
  });

  it('names missing fields and unknown ones, listing the valid fields', () => {
    expect(problemsOf({ listen: { host: 'h', port: 1, hots: 'x' }, timeout: 5 })).toEqual([
      '`timeout`: unknown field; valid fields are listen, dir, askTimeoutMs, pollMs.',
      '`listen.hots`: unknown field; valid fields are host, port.',
      '`dir`: expected a non-empty string, got nothing (the field is missing).',
      '`askTimeoutMs`: expected an integer from 100 to 2147483647, got nothing (the field is missing).',
    ]);
  });

  it('names the wrong shapes of the whole and of listen; null is not a field left out', () => {
    expect(problemsOf([])).toEqual(['`(root)`: expected an object, got an array.']);
    expect(problemsOf({ ...VALID, listen: 8765, pollMs: null })).toEqual([
      '`listen`: expected an object, got 8765 (number).',
      '`pollMs`: expected an integer from 10 to 60000, got null.',
    ]);
  });
});

describe('loadSuperviseConfig', () => {
  it('reads a config file', async () => {
    const path = join(await tempDir(), 'supervise.json');
    await writeFile(path, JSON.stringify(VALID));
    expect(await loadSuperviseConfig(path)).toEqual(VALID);
  });

  it('names the path of a file that is missing, not JSON, or invalid', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    await expect(loadSuperviseConfig(missing)).rejects.toThrow(new RegExp(`^Cannot read the supervise config ${missing}: ENOENT`));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "listen": ');
    await expect(loadSuperviseConfig(broken)).rejects.toThrow(`The supervise config ${broken} is not valid JSON`);
    await expect(loadSuperviseConfig(broken)).rejects.toBeInstanceOf(SuperviseConfigError);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ ...VALID, dir: 7 }));
    await expect(loadSuperviseConfig(invalid)).rejects.toThrow(`Invalid supervise config ${invalid}:\n  - \`dir\`: expected a non-empty string, got 7 (number).`);
  });
});
