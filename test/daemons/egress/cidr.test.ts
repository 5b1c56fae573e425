import { describe, expect, it } from 'vitest';
import { canonicalIp, cidrContains, parseCidr } from '../../../daemons/egress/cidr.js';

const block = (text: string) => {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`not a block: ${text}`);
  return cidr;
};

describe('canonicalIp', () => {
  it('keeps a dotted quad, compresses and lower-cases IPv6, and drops a zone', () => {
    expect(canonicalIp('10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIp('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalIp('FD00:0:0::0:1')).toBe('fd00::1');
    expect(canonicalIp('fe80::1%eth0')).toBe('fe80::1');
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries, in either spelling', () => {
    expect(canonicalIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalIp('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(canonicalIp('0:0:0:0:0:ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(canonicalIp('::ffff:0:7f00:1')).toBe('::ffff:0:7f00:1'); // not mapped: a different block
  });

  it('refuses what is not an IP literal, numeric names included (host-name.ts reads those)', () => {
    for (const text of ['', 'localhost', '127.1', '2130706433', '0x7f.0.0.1', '01.2.3.4', '1.2.3.256', '[::1]', '::1/128', ':::1']) {
      expect(canonicalIp(text), text).toBeUndefined();
    }
  });
});

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 blocks, canonical, the prefix up to the address length', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ text: '10.0.0.0/8', bytes: [10, 0, 0, 0], prefix: 8 });
    expect(parseCidr(' FD00:0::/8 ')?.text).toBe('fd00::/8');
    expect(parseCidr('0.0.0.0/0')?.prefix).toBe(0);
    expect(parseCidr('::1/128')?.bytes).toEqual([...Array<number>(15).fill(0), 1]);
    expect(parseCidr('1.2.3.4/32')?.text).toBe('1.2.3.4/32');
  });

  it('counts the prefix of an IPv4-mapped block in IPv6 bits', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')?.text).toBe('10.0.0.0/8');
    expect(parseCidr('::ffff:0.0.0.0/96')?.text).toBe('0.0.0.0/0');
    expect(parseCidr('::ffff:10.0.0.0/8')).toBeUndefined();
  });

  it('refuses a missing or too long prefix, and an address that is not one', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '::/129', '10.0.0.0/8/8', 'a.test/8', '10.0.0/8', '/8', '10.0.0.0/-1', '10.0.0.0/1000']) {
      expect(parseCidr(text), text).toBeUndefined();
    }
  });
});

describe('cidrContains', () => {
  it('compares whole bytes and the bits of a partial one', () => {
    expect(cidrContains(block('10.0.0.0/8'), '10.255.255.255')).toBe(true);
    expect(cidrContains(block('10.0.0.0/8'), '11.0.0.0')).toBe(false);
    expect(cidrContains(block('100.64.0.0/10'), '100.127.255.255')).toBe(true);
    expect(cidrContains(block('100.64.0.0/10'), '100.128.0.0')).toBe(false);
    expect(cidrContains(block('100.64.0.0/10'), '100.63.255.255')).toBe(false);
    expect(cidrContains(block('fe80::/10'), 'febf::1')).toBe(true);
    expect(cidrContains(block('fe80::/10'), 'fec0::1')).toBe(false);
  });

  it('ignores host bits of the block, matches everything at /0, and never across families', () => {
    expect(cidrContains(block('10.9.9.9/8'), '10.0.0.1')).toBe(true);
    expect(cidrContains(block('0.0.0.0/0'), '203.0.113.7')).toBe(true);
    expect(cidrContains(block('0.0.0.0/0'), '::1')).toBe(false);
    expect(cidrContains(block('::/0'), '10.0.0.1')).toBe(false);
    expect(cidrContains(block('64:ff9b::/96'), '64:ff9b::7f00:1')).toBe(true);
  });
});
