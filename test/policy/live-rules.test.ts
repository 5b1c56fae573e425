import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { egressPolicy } from '../../lib/policy/egress-policy.js';
import { liveRuleOf, readLiveRules, writeLiveRules } from '../../lib/policy/live-rules.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { tempDir } from '../state/temp-dir.js';

const plan = { egress: { allow: [{ host: 'api.example.com', port: 443 }], deny: ['10.213.0.0/16'] } } as unknown as BottlePlan;

describe('live rules', () => {
  it('are kept in a file until cleared, and an empty set removes it', async () => {
    const path = join(await tempDir(), 'live-rules.json');
    expect(await readLiveRules(path)).toEqual({ allow: [], deny: [] });
    await writeLiveRules(path, { allow: [{ host: 'pypi.org', port: null }], deny: ['evil.example'] });
    expect(await readLiveRules(path)).toEqual({ allow: [{ host: 'pypi.org', port: null }], deny: ['evil.example'] });
    await writeLiveRules(path, { allow: [], deny: [] });
    expect(existsSync(path)).toBe(false);
  });

  it('read a torn or foreign file as none', async () => {
    const path = join(await tempDir(), 'live-rules.json');
    await writeFile(path, '{"allow": [{"host": "x"');
    expect(await readLiveRules(path)).toEqual({ allow: [], deny: [] });
    await writeFile(path, JSON.stringify({ allow: [{ host: 1 }, { host: 'ok.example', port: null }], deny: [2, 'x.example'] }));
    expect(await readLiveRules(path)).toEqual({ allow: [{ host: 'ok.example', port: null }], deny: ['x.example'] });
  });

  it('take entries as the allowlist does, and say what is wrong with one', () => {
    expect(liveRuleOf('PyPI.org:443')).toEqual({ host: 'pypi.org', port: 443 });
    expect(liveRuleOf('https://pypi.org')).toMatch(/without a scheme/);
  });

  it('make the policy: the manifest\'s allowlist, the probe, what was added, and the hosts denied', async () => {
    const policy = egressPolicy(plan, { allow: [{ host: 'pypi.org', port: null }, { host: 'api.example.com', port: 443 }], deny: ['api.example.com'] });
    expect(policy.allow.map((r) => r.host)).toEqual(['api.example.com', 'pypi.org', 'ca-probe.bottle.internal', '127.0.0.1']);
    expect(policy.denyHosts).toEqual(['api.example.com']);
    expect(policy.deny).toEqual(['10.213.0.0/16']);
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });
});
