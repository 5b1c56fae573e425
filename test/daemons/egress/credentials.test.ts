import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EgressConfigError } from '../../../daemons/egress/config.js';
import type { Credentials } from '../../../daemons/egress/credentials.js';
import { credentialsFor, parseCredentials, readCredentialsFile, uncoveredCredentials } from '../../../daemons/egress/credentials.js';
import { tempDir } from '../../state/temp-dir.js';

/** Stands for a real key: no message may quote it, whole or in part. */
const SECRET = 'sekrit-value-0123456789';
const SOURCE = '/etc/bot-bottle/credentials.json';

/** The problems parseCredentials reports; fails the test if it does not throw, or if any message quotes SECRET. */
function problemsOf(value: unknown): readonly string[] {
  try {
    parseCredentials(value, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(EgressConfigError);
    const { message, problems } = error as EgressConfigError;
    expect(message).toContain(`Invalid credentials file ${SOURCE}:`);
    for (const problem of problems) expect(message).toContain(problem);
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain(SECRET.slice(0, 8));
    return problems;
  }
  throw new Error('expected parseCredentials to throw');
}

const entry = (extra: Record<string, unknown>) => ({ host: 'api.example.com', header: 'x-api-key', value: SECRET, ...extra });

describe('parseCredentials', () => {
  it('takes the documented form, the host normalised and the header lower case', () => {
    const parsed = parseCredentials(
      { credentials: [entry({ host: 'API.Example.com.', header: ' X-Api-Key ' }), entry({ host: '*.Other.Test', header: 'Authorization', value: `Bearer ${SECRET}` })] },
      SOURCE,
    );
    expect(parsed).toEqual<Credentials>({
      credentials: [
        { host: 'api.example.com', header: 'x-api-key', value: SECRET },
        { host: '*.other.test', header: 'authorization', value: `Bearer ${SECRET}` },
      ],
    });
    expect(parseCredentials({ credentials: [] }, SOURCE)).toEqual({ credentials: [] });
  });

  it.each<[string, unknown, string]>([
    ['a file that is not an object', [SECRET], '`(root)`: expected an object { "credentials": [...] }, got an array.'],
    ['no credentials list', {}, '`credentials`: expected an array of { "host", "header", "value" }, got nothing (the field is missing).'],
    ['a list that is a string', { credentials: SECRET }, '`credentials`: expected an array of { "host", "header", "value" }, got a string of 23 characters.'],
    ['an unknown top-level field', { credentials: [], credential: [] }, '`credential`: unknown field; valid fields are credentials.'],
    ['an entry that is not an object', { credentials: [SECRET] }, '`credentials[0]`: expected an object { "host", "header", "value" }, got a string of 23 characters.'],
    ['an unknown entry field', { credentials: [entry({ vaule: SECRET })] }, '`credentials[0].vaule`: unknown field; valid fields are host, header, value.'],
    ['a host that is an IP literal', { credentials: [entry({ host: '10.0.0.1' })] }, '`credentials[0].host`: expected a host name or *.domain, got a string of 8 characters.'],
    ['a host that is the secret by mistake', { credentials: [entry({ host: `${SECRET}!` })] }, '`credentials[0].host`: expected a host name or *.domain, got a string of 24 characters.'],
    ['a header with a space', { credentials: [entry({ header: 'x api key' })] }, '`credentials[0].header`: expected a header name such as x-api-key or authorization'],
    ['the Host header', { credentials: [entry({ header: 'Host' })] }, '`credentials[0].header`: expected a header name'],
    ['a framing header', { credentials: [entry({ header: 'content-length' })] }, '`credentials[0].header`'],
    ['a proxy- header', { credentials: [entry({ header: 'proxy-authorization' })] }, '`credentials[0].header`'],
    ['a header and value swapped by mistake', { credentials: [entry({ header: `Bearer ${SECRET}`, value: 'authorization' })] }, '`credentials[0].header`'],
    ['a value too short', { credentials: [entry({ value: 'short' })] }, '`credentials[0].value`: expected a string of at least 8 characters'],
    ['a value with a line break', { credentials: [entry({ value: `${SECRET}\r\nx-evil: 1` })] }, '`credentials[0].value`: expected a string of at least 8 characters and no control characters, got one with a line break'],
    ['a value a header cannot carry', { credentials: [entry({ value: `€${SECRET}` })] }, 'a character outside Latin-1'],
    ['a value that is a number', { credentials: [entry({ value: 1234567890123 })] }, '`credentials[0].value`: expected a string of at least 8 characters and no control characters, got a number.'],
    ['a second value for one host and header', { credentials: [entry({}), entry({ header: 'X-API-KEY' })] }, '`credentials[1]`: a second value for x-api-key on api.example.com; keep one.'],
  ])('refuses %s, naming the entry and never the value', (_case, value, expected) => {
    const problems = problemsOf(value);
    expect(problems.some((problem) => problem.includes(expected))).toBe(true);
  });

  it('reports every problem of the file at once', () => {
    expect(problemsOf({ credentials: [entry({ host: 1 }), entry({ header: '' }), entry({ value: '' })] })).toHaveLength(3);
  });
});

describe('readCredentialsFile', () => {
  it('reads and validates the file', async () => {
    const path = join(await tempDir(), 'credentials.json');
    await writeFile(path, JSON.stringify({ credentials: [entry({})] }));
    expect(await readCredentialsFile(path)).toEqual({ credentials: [{ host: 'api.example.com', header: 'x-api-key', value: SECRET }] });
  });

  it('names a file it cannot read, and says what to do', async () => {
    const path = join(await tempDir(), 'missing.json');
    await expect(readCredentialsFile(path)).rejects.toThrow(`Cannot read the credentials file ${path}: ENOENT`);
    await expect(readCredentialsFile(path)).rejects.toThrow('Write it before the bottle starts.');
  });

  it('withholds the JSON parser\'s words for a file that is not JSON: they would quote the value', async () => {
    const path = join(await tempDir(), 'credentials.json');
    await writeFile(path, `{"credentials": [{"host": "api.example.com", "header": "x-api-key", "value": "${SECRET}" oops`);
    const reading = readCredentialsFile(path);
    await expect(reading).rejects.toBeInstanceOf(EgressConfigError);
    const error = (await reading.catch((caught: unknown) => caught)) as EgressConfigError;
    expect(error.message).toBe(`The credentials file ${path} is not valid JSON (the parser's message is withheld: it may quote a credential).`);
    expect(error.cause).toBeUndefined();
  });
});

describe('credentialsFor', () => {
  const credentials: Credentials = {
    credentials: [
      { host: 'api.example.com', header: 'x-api-key', value: SECRET },
      { host: '*.example.com', header: 'x-team', value: 'team-0123456789' },
    ],
  };

  it("gives a host its own credentials and those of a *.domain it is under, never another host's", () => {
    expect(credentialsFor(credentials, 'api.example.com').map((credential) => credential.header)).toEqual(['x-api-key', 'x-team']);
    expect(credentialsFor(credentials, 'deep.sub.example.com').map((credential) => credential.header)).toEqual(['x-team']);
    expect(credentialsFor(credentials, 'example.com')).toEqual([]);
    expect(credentialsFor(credentials, 'api.example.com.evil.test')).toEqual([]);
  });
});

describe('uncoveredCredentials', () => {
  const credentials: Credentials = {
    credentials: [
      { host: 'api.example.com', header: 'x-api-key', value: SECRET },
      { host: 'sub.other.test', header: 'authorization', value: `Bearer ${SECRET}` },
      { host: 'plain.test', header: 'x-api-key', value: SECRET },
    ],
  };

  it('names each credential no inspect rule matches, never its value', () => {
    const allow = [
      { host: 'api.example.com', port: 443, inspect: true },
      { host: '*.other.test', port: null, inspect: true },
      { host: 'plain.test', port: 443 },
    ];
    const sentences = uncoveredCredentials(credentials, allow);
    expect(sentences).toEqual([
      'credentials[2] (x-api-key for plain.test): no allow rule with "inspect": true matches plain.test, so it is never injected; inspect the host or remove the credential.',
    ]);
    expect(uncoveredCredentials(credentials, [])).toHaveLength(3);
    expect(uncoveredCredentials(credentials, []).join('\n')).not.toContain(SECRET);
  });
});
