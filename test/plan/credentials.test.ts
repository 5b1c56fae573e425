import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../../lib/manifest/types.js';
import { readCredential, readCredentials } from '../../lib/plan/credentials.js';
import { tempDir } from '../state/temp-dir.js';

const VALUE = 'sk-test-0123456789abcdef';
const fromEnv = (name: string, extra: Partial<Credential> = {}): Credential => ({ host: 'api.example.com', header: 'x-api-key', prefix: '', from: { kind: 'env', name }, ...extra });
const fromFile = (path: string): Credential => ({ host: 'api.example.com', header: 'authorization', prefix: 'Bearer ', from: { kind: 'file', path } });

describe('reading credentials on the host', () => {
  it('reads a value from bottle\'s environment, and from a file without its trailing newline, with the prefix', async () => {
    expect(await readCredential(fromEnv('KEY'), { KEY: VALUE })).toEqual({ ok: true, value: VALUE });
    const file = join(await tempDir(), 'key');
    await writeFile(file, `${VALUE}\n`);
    expect(await readCredential(fromFile(file), {})).toEqual({ ok: true, value: `Bearer ${VALUE}` });
  });

  it('says what is missing or wrong, naming where it looked and never the value', async () => {
    const dir = await tempDir();
    const cases: [Credential, NodeJS.ProcessEnv, RegExp][] = [
      [fromEnv('KEY'), {}, /reads \$KEY, which is not set in bottle's environment; export it/],
      [fromEnv('KEY'), { KEY: `${VALUE}\r\nX-Evil: 1` }, /holds a line break or a control or non-ASCII character/],
      [fromFile(join(dir, 'none')), {}, /reads .*none: no such file/],
      [fromFile(dir), {}, /it is not a regular file/],
      [fromEnv('KEY'), { KEY: 'abc' }, /is 3 characters long, too short to be a key \(at least 8\); check \$KEY/],
    ];
    await mkdir(join(dir, 'real'), { recursive: true });
    await writeFile(join(dir, 'real', 'key'), VALUE);
    await symlink(join(dir, 'real', 'key'), join(dir, 'link'));
    cases.push([fromFile(join(dir, 'link')), {}, /it is a symbolic link; name the file itself/]);
    await writeFile(join(dir, 'big'), 'x'.repeat(70_000));
    cases.push([fromFile(join(dir, 'big')), {}, /a credential file holds at most 65536/]);
    for (const [credential, env, problem] of cases) {
      const read = await readCredential(credential, env);
      expect(read.ok).toBe(false);
      if (!read.ok) {
        expect(read.problem).toMatch(problem);
        expect(read.problem).not.toContain(VALUE);
      }
    }
  });

  it('reads every plan\'s credentials, and names each bottle with a problem once', async () => {
    const plans = [
      { bottle: 'a', egress: { credentials: [fromEnv('A')] } },
      { bottle: 'b', egress: { credentials: [fromEnv('MISSING')] } },
      { bottle: 'b', egress: { credentials: [fromEnv('MISSING')] } },
    ];
    const read = await readCredentials(plans, { A: VALUE });
    expect(read.values[0]).toEqual([VALUE]);
    expect(read.problems).toEqual([expect.stringMatching(/^bottle "b": the credential for api\.example\.com \(x-api-key\) reads \$MISSING/)]);
  });
});
