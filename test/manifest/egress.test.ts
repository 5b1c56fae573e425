import { describe, expect, it } from 'vitest';
import { parseEgressEntry, type EgressRule } from '../../lib/manifest/index.js';

const IPV6_INVALID = 'it is not an IPv6 address (brackets hold an IPv6 address or network, e.g. "[fd00::1]" or "[fd00::/8]")';

describe('parseEgressEntry', () => {
  it.each<[string, EgressRule]>([
    ['api.github.com', { host: 'api.github.com', port: null }],
    ['API.GitHub.com', { host: 'api.github.com', port: null }],
    ['localhost', { host: 'localhost', port: null }],
    ['example.com:8443', { host: 'example.com', port: 8443 }],
    ['example.com:1', { host: 'example.com', port: 1 }],
    ['example.com:65535', { host: 'example.com', port: 65535 }],
    ['*.npmjs.org', { host: '*.npmjs.org', port: null }],
    ['*.NPMJS.org:443', { host: '*.npmjs.org', port: 443 }],
    ['10.0.0.1', { host: '10.0.0.1', port: null }],
    ['192.168.1.255:3128', { host: '192.168.1.255', port: 3128 }],
    ['3com.example', { host: '3com.example', port: null }],
    ['xn--bcher-kva.example', { host: 'xn--bcher-kva.example', port: null }],
    ['  padded.example  ', { host: 'padded.example', port: null }],
    ['10.0.0.0/8', { host: '10.0.0.0/8', port: null }],
    ['10.0.0.0/8:443', { host: '10.0.0.0/8', port: 443 }],
    ['0.0.0.0/0', { host: '0.0.0.0/0', port: null }],
    ['192.168.1.7/32', { host: '192.168.1.7/32', port: null }],
    ['[fd00::1]', { host: 'fd00::1', port: null }],
    ['[FD00::1]:443', { host: 'fd00::1', port: 443 }],
    ['[fd00:0:0:0:0:0:0:1]', { host: 'fd00::1', port: null }],
    ['[::1]', { host: '::1', port: null }],
    ['[fd00::/8]', { host: 'fd00::/8', port: null }],
    ['[fd00::/8]:443', { host: 'fd00::/8', port: 443 }],
    ['[2001:db8::/32]', { host: '2001:db8::/32', port: null }],
    ['[::/0]', { host: '::/0', port: null }],
    ['[::ffff:10.0.0.1]', { host: '::ffff:a00:1', port: null }],
  ])('reads %j', (entry, rule) => {
    expect(parseEgressEntry(entry)).toStrictEqual({ ok: true, rule });
  });

  const FORMS =
    'host[:port], *.domain[:port], IPv4[/prefix][:port] or [IPv6[/prefix]][:port] ' +
    '(e.g. "api.github.com", "*.npmjs.org:443", "10.0.0.0/8", "[fd00::1]:443")';

  it.each<[string, string]>([
    ['https://example.com', 'write the host alone, without a scheme such as "https://"'],
    ['example.com/path', 'write the host alone, without a path, user or spaces'],
    ['user@example.com', 'write the host alone, without a path, user or spaces'],
    ['example.com:0', 'the port must be a number from 1 to 65535, got "0"'],
    ['example.com:65536', 'the port must be a number from 1 to 65535, got "65536"'],
    ['example.com:', 'the port must be a number from 1 to 65535, got ""'],
    ['example.com:http', 'the port must be a number from 1 to 65535, got "http"'],
    ['::1', 'put an IPv6 address in brackets, e.g. "[fd00::1]" or "[fd00::1]:443"'],
    ['fd00::1:443', 'put an IPv6 address in brackets, e.g. "[fd00::1]" or "[fd00::1]:443"'],
    ['[fd00::1', 'write an IPv6 address or network as "[address]" or "[address]:port"'],
    ['[fd00::1]443', 'write an IPv6 address or network as "[address]" or "[address]:port"'],
    ['[fd00::1]:0', 'the port must be a number from 1 to 65535, got "0"'],
    ['[fd00::g]', IPV6_INVALID],
    ['[fe80::1%eth0]', IPV6_INVALID],
    ['[10.0.0.1]', IPV6_INVALID],
    ['[]', IPV6_INVALID],
    ['[fd00::1/8]', 'fd00::1 has bits set past the /8 prefix; write the network, "fd00::/8", or the address alone'],
    ['[fd00::/129]', 'the prefix length must be a number from 0 to 128, got "129"'],
    ['*.[fd00::1]', '"*." applies to domain names, not to IP addresses'],
    ['10.0.0.1/8', '10.0.0.1 has bits set past the /8 prefix; write the network, "10.0.0.0/8", or the address alone'],
    ['10.1.0.0/15', '10.1.0.0 has bits set past the /15 prefix; write the network, "10.0.0.0/15", or the address alone'],
    ['10.0.0.0/33', 'the prefix length must be a number from 0 to 32, got "33"'],
    ['10.0.0.0/08', 'the prefix length must be a number from 0 to 32, got "08"'],
    ['10.0.0.0/', 'the prefix length must be a number from 0 to 32, got ""'],
    ['10.0.0/8', 'it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")'],
    ['*.10.0.0.0/8', '"*." applies to domain names, not to IP addresses'],
    ['api.*.example.com', '"*" is allowed only as a leading "*." (e.g. "*.example.com")'],
    ['*example.com', '"*" is allowed only as a leading "*." (e.g. "*.example.com")'],
    ['*.*.example.com', '"*" is allowed only as a leading "*." (e.g. "*.example.com")'],
    ['*.', 'the host is empty'],
    [':443', 'the host is empty'],
    ['example.com.', 'drop the trailing "."'],
    ['-bad.example', '"-bad" is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)'],
    ['a..b', '"" is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)'],
    ['under_score.example', '"under_score" is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)'],
    ['256.0.0.1', 'it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")'],
    ['10.0.0', 'it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")'],
    ['010.0.0.1', 'it looks like an IPv4 address but is not one (four numbers 0-255, e.g. "10.0.0.1")'],
    ['*.10.0.0.1', '"*." applies to domain names, not to IP addresses'],
  ])('refuses %j', (entry, why) => {
    expect(parseEgressEntry(entry)).toStrictEqual({
      ok: false,
      problem: `expected ${FORMS}, got ${JSON.stringify(entry)}: ${why}`,
    });
  });

  it('refuses a label longer than 63 characters, quoting the entry and the label shortened', () => {
    const result = parseEgressEntry(`${'a'.repeat(64)}.example`);
    expect(result).toStrictEqual({
      ok: false,
      problem:
        `expected ${FORMS}, got "${'a'.repeat(60)}…": ` +
        `"${'a'.repeat(60)}…" is not a valid hostname label (letters, digits and "-", not at either end, 1-63 characters)`,
    });
  });

  it('refuses a hostname longer than 253 characters', () => {
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    const result = parseEgressEntry(long);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toMatch(/a hostname has at most 253 characters$/);
  });
});
