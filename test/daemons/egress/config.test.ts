import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EgressConfigError, loadConfig, parseConfig } from '../../../daemons/egress/config.js';
import { tempDir } from '../../state/temp-dir.js';

/** The example of config.ts's doc comment, every field given. */
const VALID = {
  listen: { host: '0.0.0.0', port: 3128 },
  allow: [
    { host: 'api.example.com', port: 443 },
    { host: '*.npmjs.org', port: null },
    { host: '10.0.0.0/8', port: 443 },
    { host: '127.0.0.1', port: 3129 },
  ],
  hosts: { 'ca-probe.bottle.internal': '127.0.0.1' },
  deny: ['10.213.0.0/16'],
  auditLog: '/var/log/bot-bottle/egress.jsonl',
  audit: { maxBytes: 67108864, keep: 2 },
  limits: { maxConnections: 256, idleTimeoutMs: 300000 },
  tls: { host: '127.0.0.1', port: 3129, cert: '/etc/bot-bottle/tls/server.crt', key: '/etc/bot-bottle/tls/server.key' },
};

const MINIMAL = { listen: VALID.listen, allow: [], auditLog: VALID.auditLog };

/** The problems parseConfig reports for `value`; fails the test if it does not throw an EgressConfigError. */
function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'egress.json');
  } catch (error) {
    expect(error).toBeInstanceOf(EgressConfigError);
    const { message, problems } = error as EgressConfigError;
    expect(message).toContain('egress.json');
    for (const problem of problems) expect(message).toContain(problem);
    return problems;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('accepts the documented example as it is, every section included', () => {
    expect(parseConfig(VALID)).toEqual(VALID);
  });

  it('fills in the defaults of the optional sections, and leaves tls out when it is not given', () => {
    const config = parseConfig(MINIMAL);
    expect(config).toEqual({
      ...MINIMAL,
      hosts: {},
      deny: [],
      audit: { maxBytes: 64 * 1024 * 1024, keep: 2 },
      limits: { maxConnections: 256, idleTimeoutMs: 300_000 },
    });
    expect('tls' in config).toBe(false);
  });

  it('fills in each field of a section on its own, and tls.host', () => {
    const config = parseConfig({
      ...MINIMAL,
      audit: { keep: 0 },
      limits: { idleTimeoutMs: 200 },
      tls: { port: 3129, cert: 'c', key: 'k' },
    });
    expect(config.audit).toEqual({ maxBytes: 64 * 1024 * 1024, keep: 0 });
    expect(config.limits).toEqual({ maxConnections: 256, idleTimeoutMs: 200 });
    expect(config.tls).toEqual({ host: '127.0.0.1', port: 3129, cert: 'c', key: 'k' });
  });

  it('normalises allow hosts: lower case, no brackets, no trailing dot, IPs and blocks canonical', () => {
    const config = parseConfig({
      ...VALID,
      allow: [
        { host: 'API.Example.com.', port: 443 },
        { host: '[::1]', port: 80 },
        { host: '*.NPMJS.org.', port: null },
        { host: '[::FFFF:127.0.0.1]', port: 1 },
        { host: '127.1', port: 2 },
        { host: 'FD00:0::/8', port: 3 },
        { host: '::ffff:10.0.0.0/104', port: 4 },
      ],
    });
    expect(config.allow).toEqual([
      { host: 'api.example.com', port: 443 },
      { host: '::1', port: 80 },
      { host: '*.npmjs.org', port: null },
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
      { host: 'fd00::/8', port: 3 },
      { host: '10.0.0.0/8', port: 4 },
    ]);
  });

  it('normalises hosts keys and addresses, and deny blocks', () => {
    const config = parseConfig({ ...MINIMAL, hosts: { 'Probe.Internal.': ' ::FFFF:7f00:1 ' }, deny: ['FD00::0/8', '203.0.113.0/24'] });
    expect(config.hosts).toEqual({ 'probe.internal': '127.0.0.1' });
    expect(config.deny).toEqual(['fd00::/8', '203.0.113.0/24']);
  });

  it('names bad CIDR blocks, hosts entries and limits, all at once', () => {
    expect(
      problemsOf({
        ...MINIMAL,
        allow: [{ host: '10.0.0.0/33', port: 443 }, { host: 'fd00::/129', port: 443 }, { host: 'a.test/8', port: 443 }],
        hosts: { 'a b': '127.0.0.1', 'ok.test': 'localhost', '10.0.0.1': '10.0.0.2' },
        deny: ['10.0.0.0', 7],
        audit: { maxBytes: 10, keep: -1 },
        limits: { maxConnections: 0, idleTimeoutMs: 1.5, idle: 1 },
      }),
    ).toEqual([
      '`allow[0].host`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "10.0.0.0/33" (string).',
      '`allow[1].host`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "fd00::/129" (string).',
      '`allow[2].host`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "a.test/8" (string).',
      '`hosts["a b"] (the key)`: expected a host name, got "a b" (string).',
      '`hosts["ok.test"]`: expected an IP literal, got "localhost" (string).',
      '`hosts["10.0.0.1"] (the key)`: expected a host name, got "10.0.0.1" (string).',
      '`deny[0]`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got "10.0.0.0" (string).',
      '`deny[1]`: expected a CIDR block such as 10.0.0.0/8 or fd00::/8 (prefix length at most 32 for IPv4, 128 for IPv6), got 7 (number).',
      '`audit.maxBytes`: expected an integer from 1024 to 9007199254740991, got 10 (number).',
      '`audit.keep`: expected an integer from 0 to 100, got -1 (number).',
      '`limits.idle`: unknown field; valid fields are maxConnections, idleTimeoutMs.',
      '`limits.maxConnections`: expected an integer from 1 to 100000, got 0 (number).',
      '`limits.idleTimeoutMs`: expected an integer from 100 to 2147483647, got 1.5 (number).',
    ]);
  });

  it('reads null as a value, not as a field left out', () => {
    expect(problemsOf({ ...MINIMAL, hosts: null, deny: null, audit: { keep: null }, tls: { host: null, port: 1, cert: 'c', key: 'k' } })).toEqual([
      '`hosts`: expected an object, got null.',
      '`deny`: expected an array of CIDR blocks, got null.',
      '`audit.keep`: expected an integer from 0 to 100, got null.',
      '`tls.host`: expected a non-empty string, got null.',
    ]);
  });

  it('names each bad field, with what was expected and what it got, all at once', () => {
    const problems = problemsOf({
      listen: { host: '', port: 70000 },
      allow: [{ host: 'ok.test', port: 443 }, { host: 'a.*.test', port: '443' }],
      tls: { port: 3129, cert: 42 },
    });
    expect(problems).toEqual([
      '`listen.host`: expected a non-empty string, got "" (string).',
      '`listen.port`: expected an integer from 0 to 65535, got 70000 (number).',
      '`allow[1].host`: expected a host name, an IP literal, a CIDR block (10.0.0.0/8) or *.domain, got "a.*.test" (string).',
      '`allow[1].port`: expected an integer from 1 to 65535 or null (80 and 443), got "443" (string).',
      '`auditLog`: expected a non-empty string, got nothing (the field is missing).',
      '`tls.cert`: expected a non-empty string, got 42 (number).',
      '`tls.key`: expected a non-empty string, got nothing (the field is missing).',
    ]);
  });

  it('requires a port on every rule: a missing one is not read as null', () => {
    expect(problemsOf({ ...VALID, allow: [{ host: 'a.test' }] })).toEqual([
      '`allow[0].port`: expected an integer from 1 to 65535 or null (80 and 443), got nothing (the field is missing).',
    ]);
  });

  it('rejects a wildcard over an IP, a bare *, and port 0 in a rule', () => {
    expect(problemsOf({ ...VALID, allow: [{ host: '*.127.0.0.1', port: 1 }, { host: '*', port: 1 }, { host: 'a.test', port: 0 }] })).toEqual([
      '`allow[0].host`: expected a host name, an IP literal, a CIDR block (10.0.0.0/8) or *.domain, got "*.127.0.0.1" (string).',
      '`allow[1].host`: expected a host name, an IP literal, a CIDR block (10.0.0.0/8) or *.domain, got "*" (string).',
      '`allow[2].port`: expected an integer from 1 to 65535 or null (80 and 443), got 0 (number).',
    ]);
  });

  it('names unknown fields and lists the valid ones, so a typo does not pass silently', () => {
    expect(problemsOf({ ...VALID, alow: [], listen: { host: 'h', port: 1, hots: 'x' } })).toEqual([
      '`alow`: unknown field; valid fields are listen, allow, hosts, deny, auditLog, audit, limits, tls, policyFile, inspect.',
      '`listen.hots`: unknown field; valid fields are host, port.',
    ]);
  });

  it('names the wrong shapes of whole sections', () => {
    expect(problemsOf([])).toEqual(['`(root)`: expected an object, got an array.']);
    expect(problemsOf({ ...VALID, listen: 3128, allow: {}, tls: null })).toEqual([
      '`listen`: expected an object, got 3128 (number).',
      '`allow`: expected an array of { "host", "port" } rules, got an object.',
      '`tls`: expected an object, got null.',
    ]);
  });

  it('refuses the TLS port being the proxy port', () => {
    expect(problemsOf({ ...VALID, tls: { ...VALID.tls, port: 3128 } })).toEqual([
      '`tls.port`: expected a port other than `listen.port`, got 3128 for both.',
    ]);
  });
});

describe('loadConfig', () => {
  it('reads a config file', async () => {
    const path = join(await tempDir(), 'egress.json');
    await writeFile(path, JSON.stringify(VALID));
    expect(await loadConfig(path)).toEqual(VALID);
  });

  it('names the path of a file that is missing or not JSON', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'missing.json');
    await expect(loadConfig(missing)).rejects.toThrow(new RegExp(`^Cannot read the egress config ${missing}: ENOENT`));
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "listen": ');
    await expect(loadConfig(broken)).rejects.toThrow(`The egress config ${broken} is not valid JSON`);
    await expect(loadConfig(broken)).rejects.toBeInstanceOf(EgressConfigError);
  });

  it('puts the path in the message of an invalid config', async () => {
    const path = join(await tempDir(), 'egress.json');
    await writeFile(path, JSON.stringify({ ...VALID, auditLog: 7 }));
    await expect(loadConfig(path)).rejects.toThrow(`Invalid egress config ${path}:\n  - \`auditLog\`: expected a non-empty string, got 7 (number).`);
  });
});
