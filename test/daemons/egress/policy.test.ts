import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EgressConfigError } from '../../../daemons/egress/config.js';
import { isDeniedHost, parsePolicy, readPolicyFile } from '../../../daemons/egress/policy.js';
import { tempDir } from '../../state/temp-dir.js';

const SOURCE = '/etc/bot-bottle/policy.json';
const INSPECTING = { canInspect: true };

/** The example of policy.ts's doc comment. */
const EXAMPLE = {
  allow: [
    { host: 'api.example.com', port: 443, inspect: true, methods: ['GET', 'POST'], paths: { allow: ['/v1/*'], deny: ['/v1/admin/*'] } },
    { host: '*.npmjs.org', port: null },
  ],
  hosts: { 'ca-probe.bottle.internal': '127.0.0.1' },
  deny: ['10.213.0.0/16'],
  denyHosts: ['evil.example.com', '*.tracker.test'],
};

/** The problems parsePolicy reports; fails the test if it does not throw an EgressConfigError naming the file. */
function problemsOf(value: unknown, options = INSPECTING): readonly string[] {
  try {
    parsePolicy(value, SOURCE, options);
  } catch (error) {
    expect(error).toBeInstanceOf(EgressConfigError);
    const { message, problems } = error as EgressConfigError;
    expect(message).toContain(`Invalid egress policy file ${SOURCE}:`);
    for (const problem of problems) expect(message).toContain(`  - ${problem}`);
    return problems;
  }
  throw new Error('expected parsePolicy to throw');
}

describe('parsePolicy', () => {
  it('accepts the documented example as it is', () => {
    expect(parsePolicy(EXAMPLE, SOURCE, INSPECTING)).toEqual(EXAMPLE);
  });

  it('fills in hosts, deny and denyHosts when left out, and normalises what is given', () => {
    expect(parsePolicy({ allow: [{ host: 'API.Test.', port: 443, inspect: true, methods: ['get'] }], denyHosts: ['Evil.Test.'] }, SOURCE, INSPECTING)).toEqual({
      allow: [{ host: 'api.test', port: 443, inspect: true, methods: ['GET'] }],
      hosts: {},
      deny: [],
      denyHosts: ['evil.test'],
    });
  });

  it('names each bad field, with what was expected and what it got, all at once', () => {
    expect(
      problemsOf({
        allow: [
          { host: 'api.test', port: '443' },
          { host: 'api.test', port: 443, inspect: 'yes' },
          { host: 'api.test', port: 443, inspect: true, methods: [], paths: { allow: ['v1/*'], deny: '/admin' } },
          { host: 'api.test', port: 443, inspect: true, methods: ['GET', 'NOT A METHOD'], paths: { block: [] } },
        ],
        hosts: { 'probe.test': 'localhost' },
        deny: ['10.0.0.0'],
        denyHosts: ['ok.test', '10.0.0.0/33', 7],
        extra: true,
      }),
    ).toEqual([
      '`extra`: unknown field; valid fields are allow, hosts, deny, denyHosts.',
      '`allow[0].port`: expected an integer from 1 to 65535 or null (80 and 443), got "443" (string).',
      '`allow[1].inspect`: expected true or false, got "yes" (string).',
      '`allow[2].methods`: expected a non-empty array of HTTP methods such as ["GET", "POST"], got an array.',
      '`allow[2].paths.allow[0]`: expected a path pattern starting with / or * (* matches any characters, / included), got "v1/*" (string).',
      '`allow[2].paths.deny`: expected an array of path patterns such as "/v1/*", got "/admin" (string).',
      '`allow[3].methods[1]`: expected an HTTP method such as GET, got "NOT A METHOD" (string).',
      '`allow[3].paths.block`: unknown field; valid fields are allow, deny.',
      '`hosts["probe.test"]`: expected an IP literal, got "localhost" (string).',
      '`deny[0]`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "10.0.0.0" (string).',
      '`denyHosts[1]`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "10.0.0.0/33" (string).',
      '`denyHosts[2]`: expected a host name, an IP literal, a CIDR block (10.0.0.0/8) or *.domain, got 7 (number).',
    ]);
  });

  it('refuses inspect where a leaf cannot name the host, or when the egress config has no inspect section', () => {
    expect(problemsOf({ allow: [{ host: '10.0.0.0/8', port: 443, inspect: true }, { host: '127.0.0.1', port: 443, inspect: true }] })).toEqual([
      '`allow[0].inspect`: expected on a rule whose host is a name or *.domain (a leaf certificate names the host), got it on "10.0.0.0/8"; inspect the name the agent connects to.',
      '`allow[1].inspect`: expected on a rule whose host is a name or *.domain (a leaf certificate names the host), got it on "127.0.0.1"; inspect the name the agent connects to.',
    ]);
    expect(problemsOf({ allow: [{ host: 'api.test', port: 443, inspect: true }] }, { canInspect: false })).toEqual([
      '`allow[0].inspect`: needs the `inspect` section of the egress config (leafDir, credentialsFile); add it or remove "inspect".',
    ]);
  });

  it('refuses methods and paths on a rule that does not inspect', () => {
    expect(problemsOf({ allow: [{ host: 'api.test', port: 443, methods: ['GET'], paths: { allow: ['/v1/*'] } }] })).toEqual([
      '`allow[0].methods`: applies only to an inspected host; add "inspect": true to the rule or remove methods.',
      '`allow[0].paths`: applies only to an inspected host; add "inspect": true to the rule or remove paths.',
    ]);
  });

  it('needs allow, and reads null as a value, not as a field left out', () => {
    expect(problemsOf({})).toEqual(['`allow`: expected an array of { "host", "port" } rules, got nothing (the field is missing).']);
    expect(problemsOf({ allow: [], hosts: null, deny: null, denyHosts: null })).toEqual([
      '`hosts`: expected an object, got null.',
      '`deny`: expected an array of CIDR blocks, got null.',
      '`denyHosts`: expected an array of host names or *.domain patterns, got null.',
    ]);
    expect(problemsOf([])).toEqual(['`(root)`: expected an object, got an array.']);
  });
});

describe('readPolicyFile', () => {
  it('reads and validates the file', async () => {
    const path = join(await tempDir(), 'policy.json');
    await writeFile(path, JSON.stringify(EXAMPLE));
    expect(await readPolicyFile(path, INSPECTING)).toEqual(EXAMPLE);
  });

  it('names the file when it is missing, not JSON, or invalid', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    await expect(readPolicyFile(missing, INSPECTING)).rejects.toThrow(`Cannot read the egress policy file ${missing}: ENOENT`);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "allow": ');
    await expect(readPolicyFile(broken, INSPECTING)).rejects.toThrow(`The egress policy file ${broken} is not valid JSON`);
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, '{ "allow": 1 }');
    await expect(readPolicyFile(invalid, INSPECTING)).rejects.toThrow(`Invalid egress policy file ${invalid}:\n  - \`allow\`: expected an array`);
    await expect(readPolicyFile(invalid, INSPECTING)).rejects.toBeInstanceOf(EgressConfigError);
  });
});

describe('isDeniedHost', () => {
  it('matches names and *.domain patterns as an allow rule would', () => {
    const policy = { denyHosts: ['evil.test', '*.tracker.test'] };
    expect(isDeniedHost(policy, 'evil.test')).toBe(true);
    expect(isDeniedHost(policy, 'EVIL.test.')).toBe(true);
    expect(isDeniedHost(policy, 'a.b.tracker.test')).toBe(true);
    expect(isDeniedHost(policy, 'tracker.test')).toBe(false);
    expect(isDeniedHost(policy, 'sub.evil.test')).toBe(false);
    expect(isDeniedHost({ denyHosts: [] }, 'evil.test')).toBe(false);
  });
});
