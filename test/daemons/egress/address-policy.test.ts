import { describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../../daemons/egress/address-policy.js';

const policy = createAddressPolicy([]);

describe('createAddressPolicy', () => {
  it('refuses every built-in private block, at both of its ends', () => {
    const inside = [
      '0.0.0.0', '0.255.255.255',
      '10.0.0.0', '10.255.255.255',
      '100.64.0.0', '100.127.255.255',
      '127.0.0.1', '127.255.255.254',
      '169.254.0.1', '169.254.169.254',
      '172.16.0.0', '172.31.255.255',
      '192.0.0.0', '192.0.0.255',
      '192.168.0.1', '192.168.255.255',
      '198.18.0.0', '198.19.255.255',
      '224.0.0.1', '239.255.255.255',
      '240.0.0.0', '255.255.255.255',
      '::', '::1', '::7f00:1',
      'fc00::1', 'fdff:ffff::1',
      'fe80::1', 'febf::1',
      'ff02::1',
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::1',
    ];
    for (const address of inside) expect(policy.refusalOf(address), address).toBe('private');
  });

  it('lets public addresses through, next to the private blocks', () => {
    const outside = ['1.1.1.1', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1', '192.169.0.0', '198.20.0.0', '223.255.255.255', '203.0.113.7', '2606:4700::1111', '2001:db8::1', 'fbff::1', 'fec0::1'];
    for (const address of outside) expect(policy.refusalOf(address), address).toBeUndefined();
  });

  it('judges an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(policy.refusalOf('::ffff:127.0.0.1')).toBe('private');
    expect(policy.refusalOf('::ffff:a9fe:a9fe')).toBe('private');
    expect(policy.refusalOf('::ffff:1.1.1.1')).toBeUndefined();
  });

  it('refuses the deny blocks as denied, after the private ones', () => {
    const denying = createAddressPolicy(['203.0.113.0/24', '2606:4700::/32', '10.213.0.0/16']);
    expect(denying.refusalOf('203.0.113.7')).toBe('denied');
    expect(denying.refusalOf('::ffff:203.0.113.7')).toBe('denied');
    expect(denying.refusalOf('2606:4700::1111')).toBe('denied');
    expect(denying.refusalOf('10.213.0.1')).toBe('private');
    expect(denying.refusalOf('203.0.114.1')).toBeUndefined();
  });

  it('refuses what it cannot read as an address', () => {
    expect(policy.refusalOf('not-an-address')).toBe('private');
  });
});
