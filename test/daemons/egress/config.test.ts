import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EgressConfigError, loadConfig, parseConfig } from '../../../daemons/egress/config.js';
import { tempDir } from '../../state/temp-dir.js';

const VALID = {
  listen: { host: '0.0.0.0', port: 3128 },
  allow: [
    { host: 'api.example.com', port: 443 },
    { host: '*.npmjs.org', port: null },
  ],
  auditLog: '/var/log/bot-bottle/egress.jsonl',
  tls: { port: 3129, cert: '/etc/bot-bottle/tls/server.crt', key: '/etc/bot-bottle/tls/server.key' },
};

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
  it('accepts the documented example as it is, tls included', () => {
    expect(parseConfig(VALID)).toEqual(VALID);
  });

  it('leaves tls out when it is not given, and accepts an empty allowlist', () => {
    const { tls: _tls, ...rest } = VALID;
    const config = parseConfig({ ...rest, allow: [] });
    expect(config.tls).toBeUndefined();
    expect('tls' in config).toBe(false);
    expect(config.allow).toEqual([]);
  });

  it('normalises allow hosts: lower case, no brackets, no trailing dot', () => {
    const config = parseConfig({ ...VALID, allow: [{ host: 'API.Example.com.', port: 443 }, { host: '[::1]', port: 80 }, { host: '*.NPMJS.org', port: null }] });
    expect(config.allow).toEqual([
      { host: 'api.example.com', port: 443 },
      { host: '::1', port: 80 },
      { host: '*.npmjs.org', port: null },
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
      '`allow[1].host`: expected a host name, an IP literal or *.domain, got "a.*.test" (string).',
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
      '`allow[0].host`: expected a host name, an IP literal or *.domain, got "*.127.0.0.1" (string).',
      '`allow[1].host`: expected a host name, an IP literal or *.domain, got "*" (string).',
      '`allow[2].port`: expected an integer from 1 to 65535 or null (80 and 443), got 0 (number).',
    ]);
  });

  it('names unknown fields and lists the valid ones, so a typo does not pass silently', () => {
    expect(problemsOf({ ...VALID, alow: [], listen: { host: 'h', port: 1, hots: 'x' } })).toEqual([
      '`alow`: unknown field; valid fields are listen, allow, auditLog, tls.',
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
