/** The egress config's `inspect` section and `policyFile`, and what they let the allow rules say. */
import { describe, expect, it } from 'vitest';
import { EgressConfigError, parseConfig } from '../../../daemons/egress/config.js';

const MINIMAL = { listen: { host: '0.0.0.0', port: 3128 }, allow: [], auditLog: '/var/log/bot-bottle/egress.jsonl' };
const INSPECT = {
  leafDir: '/etc/bot-bottle/leaves',
  credentialsFile: '/etc/bot-bottle/credentials.json',
  upstreamCaFiles: ['/etc/bot-bottle/upstream-ca.pem'],
  maxBodyBytes: 33554432,
};

function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'egress.json');
  } catch (error) {
    expect(error).toBeInstanceOf(EgressConfigError);
    const { message, problems } = error as EgressConfigError;
    for (const problem of problems) expect(message).toContain(problem);
    return problems;
  }
  throw new Error('expected parseConfig to throw');
}

describe('the inspect section', () => {
  it('is taken as given, and lets a rule on a name inspect with methods and paths', () => {
    const allow = [{ host: 'api.example.com', port: 443, inspect: true, methods: ['GET'], paths: { allow: ['/v1/*'] } }];
    const config = parseConfig({ ...MINIMAL, allow, inspect: INSPECT });
    expect(config.inspect).toEqual(INSPECT);
    expect(config.allow).toEqual(allow);
  });

  it('defaults maxBodyBytes to 32 MiB and upstreamCaFiles to none, and leaves credentialsFile out when it is', () => {
    const config = parseConfig({ ...MINIMAL, inspect: { leafDir: '/leaves' } });
    expect(config.inspect).toEqual({ leafDir: '/leaves', upstreamCaFiles: [], maxBodyBytes: 32 * 1024 * 1024 });
    expect(config.inspect && 'credentialsFile' in config.inspect).toBe(false);
    expect('inspect' in parseConfig(MINIMAL)).toBe(false);
  });

  it('names each bad field, all at once', () => {
    expect(
      problemsOf({
        ...MINIMAL,
        inspect: { leafDir: 'leaves', credentialsFile: 7, upstreamCaFiles: ['/ok.pem', 'ca.pem'], maxBodyBytes: 1023, certDir: '/x' },
      }),
    ).toEqual([
      '`inspect.certDir`: unknown field; valid fields are leafDir, credentialsFile, upstreamCaFiles, maxBodyBytes.',
      '`inspect.leafDir`: expected an absolute path (starting with /), got "leaves" (string).',
      '`inspect.credentialsFile`: expected an absolute path (starting with /), got 7 (number).',
      '`inspect.upstreamCaFiles[1]`: expected an absolute path (starting with /), got "ca.pem" (string).',
      '`inspect.maxBodyBytes`: expected an integer from 1024 to 1073741824, got 1023 (number).',
    ]);
    expect(problemsOf({ ...MINIMAL, inspect: { upstreamCaFiles: '/ca.pem', maxBodyBytes: 2 ** 30 + 1 } })).toEqual([
      '`inspect.leafDir`: expected an absolute path (starting with /), got nothing (the field is missing).',
      '`inspect.upstreamCaFiles`: expected an array, got "/ca.pem" (string).',
      '`inspect.maxBodyBytes`: expected an integer from 1024 to 1073741824, got 1073741825 (number).',
    ]);
    expect(problemsOf({ ...MINIMAL, inspect: null })).toEqual(['`inspect`: expected an object, got null.']);
  });

  it('is needed by a rule that inspects, which must name a host, not an address', () => {
    expect(problemsOf({ ...MINIMAL, allow: [{ host: 'api.example.com', port: 443, inspect: true }] })).toEqual([
      '`allow[0].inspect`: needs the `inspect` section of the egress config (leafDir, credentialsFile); add it or remove "inspect".',
    ]);
    expect(problemsOf({ ...MINIMAL, allow: [{ host: '10.0.0.0/8', port: 443, inspect: true }], inspect: INSPECT })).toEqual([
      '`allow[0].inspect`: expected on a rule whose host is a name or *.domain (a leaf certificate names the host), got it on "10.0.0.0/8"; inspect the name the agent connects to.',
    ]);
  });
});

describe('policyFile', () => {
  it('is an absolute path, and lets allow be left out', () => {
    const config = parseConfig({ listen: MINIMAL.listen, auditLog: MINIMAL.auditLog, policyFile: '/etc/bot-bottle/policy.json' });
    expect(config.policyFile).toBe('/etc/bot-bottle/policy.json');
    expect(config.allow).toEqual([]);
    expect(problemsOf({ ...MINIMAL, policyFile: 'policy.json' })).toEqual([
      '`policyFile`: expected an absolute path (starting with /), got "policy.json" (string).',
    ]);
    expect(problemsOf({ listen: MINIMAL.listen, auditLog: MINIMAL.auditLog })).toEqual([
      '`allow`: expected an array of { "host", "port" } rules, got nothing (the field is missing).',
    ]);
  });
});
