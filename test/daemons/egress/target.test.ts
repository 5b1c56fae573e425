import { describe, expect, it } from 'vitest';
import { hostHeaderOf, parseConnectTarget, parseHttpTarget } from '../../../daemons/egress/target.js';

describe('parseConnectTarget', () => {
  it('reads host:port, lower-casing the host, and a bracketed IPv6 literal', () => {
    expect(parseConnectTarget('API.example.com:443')).toEqual({ ok: true, target: { host: 'api.example.com', port: 443 } });
    expect(parseConnectTarget('127.0.0.1:8080')).toEqual({ ok: true, target: { host: '127.0.0.1', port: 8080 } });
    expect(parseConnectTarget('[::1]:443')).toEqual({ ok: true, target: { host: '::1', port: 443 } });
  });

  it('reads IP literals in their canonical form, as a URL parser would', () => {
    const hostOf = (authority: string) => {
      const parsed = parseConnectTarget(authority);
      return parsed.ok ? parsed.target.host : parsed.reason;
    };
    expect(hostOf('127.1:443')).toBe('127.0.0.1');
    expect(hostOf('0x7f.1:443')).toBe('127.0.0.1');
    expect(hostOf('2130706433:443')).toBe('127.0.0.1');
    expect(hostOf('[::ffff:127.0.0.1]:443')).toBe('127.0.0.1');
    expect(hostOf('[0:0::1]:443')).toBe('::1');
    expect(hostOf('LOCALHOST.:443')).toBe('localhost');
  });

  it('refuses what is not host:port, saying what it got', () => {
    for (const bad of [undefined, '', 'example.com', 'example.com:', ':443', 'example.com:0', 'example.com:65536', 'example.com:44a', 'a b:443', '::1:443', '[nothost]:443', 'user@host:443', 'http://example.com:443']) {
      const parsed = parseConnectTarget(bad);
      expect(parsed.ok, String(bad)).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toBe(`malformed CONNECT target ${JSON.stringify(bad ?? '')}; expected host:port`);
    }
  });
});

describe('parseHttpTarget', () => {
  it('reads host, port (80 by default) and the origin-form path with its query', () => {
    expect(parseHttpTarget('http://Example.com/a/b?c=1')).toEqual({ ok: true, target: { host: 'example.com', port: 80, path: '/a/b?c=1' } });
    expect(parseHttpTarget('http://127.0.0.1:8080')).toEqual({ ok: true, target: { host: '127.0.0.1', port: 8080, path: '/' } });
    expect(parseHttpTarget('http://[::1]:81/x')).toEqual({ ok: true, target: { host: '::1', port: 81, path: '/x' } });
  });

  it('reads the numeric and mapped spellings of an IP as the address they mean', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/']) {
      expect(parseHttpTarget(url), url).toEqual({ ok: true, target: { host: '127.0.0.1', port: 80, path: '/' } });
    }
  });

  it('refuses other schemes and what is not a URL', () => {
    expect(parseHttpTarget('https://example.com/')).toEqual({
      ok: false,
      reason: 'malformed request target "https://example.com/"; only http:// is forwarded; use CONNECT for https',
    });
    expect(parseHttpTarget('example.com/x')).toEqual({
      ok: false,
      reason: 'malformed request target "example.com/x"; expected an absolute http:// URL',
    });
  });
});

describe('hostHeaderOf', () => {
  it('leaves out port 80 only', () => {
    expect(hostHeaderOf({ host: 'example.com', port: 80 })).toBe('example.com');
    expect(hostHeaderOf({ host: 'example.com', port: 8080 })).toBe('example.com:8080');
    expect(hostHeaderOf({ host: '::1', port: 80 })).toBe('[::1]');
    expect(hostHeaderOf({ host: '::1', port: 81 })).toBe('[::1]:81');
  });
});
