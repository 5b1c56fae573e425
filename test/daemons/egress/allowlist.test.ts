import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../../daemons/egress/allowlist.js';

describe('isAllowed', () => {
  it('matches an exact host on its port only', () => {
    const allow = [{ host: 'api.example.com', port: 443 }];
    expect(isAllowed(allow, 'api.example.com', 443)).toBe(true);
    expect(isAllowed(allow, 'api.example.com', 80)).toBe(false);
    expect(isAllowed(allow, 'api.example.com', 8443)).toBe(false);
    expect(isAllowed(allow, 'other.example.com', 443)).toBe(false);
    expect(isAllowed(allow, 'x.api.example.com', 443)).toBe(false);
    expect(isAllowed(allow, 'api.example.com.evil.test', 443)).toBe(false);
  });

  it('ignores case on both sides, and a trailing root dot', () => {
    expect(isAllowed([{ host: 'API.Example.COM', port: 443 }], 'api.example.com', 443)).toBe(true);
    expect(isAllowed([{ host: 'api.example.com', port: 443 }], 'Api.EXAMPLE.com', 443)).toBe(true);
    expect(isAllowed([{ host: 'api.example.com', port: 443 }], 'api.example.com.', 443)).toBe(true);
  });

  it('lets *.domain match subdomains at any depth, but not the apex or look-alikes', () => {
    const allow = [{ host: '*.npmjs.org', port: 443 }];
    expect(isAllowed(allow, 'registry.npmjs.org', 443)).toBe(true);
    expect(isAllowed(allow, 'a.b.c.npmjs.org', 443)).toBe(true);
    expect(isAllowed(allow, 'REGISTRY.NPMJS.ORG', 443)).toBe(true);
    expect(isAllowed(allow, 'npmjs.org', 443)).toBe(false);
    expect(isAllowed(allow, 'evilnpmjs.org', 443)).toBe(false);
    expect(isAllowed(allow, '.npmjs.org', 443)).toBe(false);
    expect(isAllowed(allow, 'a..npmjs.org', 443)).toBe(false);
    expect(isAllowed(allow, 'npmjs.org.evil.test', 443)).toBe(false);
  });

  it('reads port null as 80 and 443, and no other port', () => {
    const allow = [{ host: 'example.com', port: null }];
    expect(isAllowed(allow, 'example.com', 80)).toBe(true);
    expect(isAllowed(allow, 'example.com', 443)).toBe(true);
    for (const port of [22, 8080, 8443, 3128, 1, 65535]) expect(isAllowed(allow, 'example.com', port)).toBe(false);
  });

  it('matches IP literals exactly, never through a wildcard', () => {
    const allow = [
      { host: '127.0.0.1', port: 8080 },
      { host: '::1', port: 8080 },
      { host: '*.0.0.1', port: 8080 },
    ];
    expect(isAllowed(allow, '127.0.0.1', 8080)).toBe(true);
    expect(isAllowed(allow, '127.0.0.2', 8080)).toBe(false);
    expect(isAllowed(allow, '10.0.0.1', 8080)).toBe(false);
    expect(isAllowed(allow, '127.0.0.1', 8081)).toBe(false);
    expect(isAllowed(allow, '::1', 8080)).toBe(true);
    expect(isAllowed(allow, '[::1]', 8080)).toBe(true);
    expect(isAllowed(allow, '::2', 8080)).toBe(false);
  });

  it('allows nothing with an empty list, and never a name that is not a host name', () => {
    expect(isAllowed([], 'example.com', 443)).toBe(false);
    const allow = [{ host: '*.example.com', port: 443 }];
    expect(isAllowed(allow, 'a b.example.com', 443)).toBe(false);
    expect(isAllowed(allow, 'a/b.example.com', 443)).toBe(false);
    expect(isAllowed(allow, '', 443)).toBe(false);
  });

  it('allows when any rule matches', () => {
    const allow = [
      { host: 'a.test', port: 1 },
      { host: '*.b.test', port: null },
    ];
    expect(isAllowed(allow, 'x.b.test', 443)).toBe(true);
    expect(isAllowed(allow, 'a.test', 1)).toBe(true);
    expect(isAllowed(allow, 'a.test', 443)).toBe(false);
  });

  it('matches an IP literal against CIDR blocks, IPv4 and IPv6, and never a name', () => {
    const allow = [
      { host: '10.0.0.0/8', port: 443 },
      { host: 'fd00::/8', port: null },
    ];
    expect(isAllowed(allow, '10.1.2.3', 443)).toBe(true);
    expect(isAllowed(allow, '10.1.2.3', 80)).toBe(false);
    expect(isAllowed(allow, '11.0.0.1', 443)).toBe(false);
    expect(isAllowed(allow, 'fd12:3456::1', 80)).toBe(true);
    expect(isAllowed(allow, '[FD00::1]', 443)).toBe(true);
    expect(isAllowed(allow, 'fe80::1', 443)).toBe(false);
    expect(isAllowed(allow, '10.example.com', 443)).toBe(false);
  });

  it('judges IPv4-mapped IPv6 and numeric spellings as the IPv4 address they mean', () => {
    const allow = [{ host: '127.0.0.1', port: 80 }, { host: '10.0.0.0/8', port: 80 }];
    for (const host of ['::ffff:127.0.0.1', '[::ffff:7f00:1]', '127.1', '2130706433', '0x7f.0.0.1', '::ffff:10.9.9.9', '10.1']) {
      expect(isAllowed(allow, host, 80), host).toBe(true);
    }
    expect(isAllowed(allow, '::1', 80)).toBe(false);
    expect(isAllowed(allow, '127.0.0.2', 80)).toBe(false);
  });
});
