import { describe, expect, it } from 'vitest';
import { allocateSubnets, dynamicRange, egressSubnet, hostIn, poolBase } from '../../lib/net/subnets.js';
import { slugFor } from '../../lib/plan/slug.js';

describe('allocateSubnets', () => {
  const pool: [number, number] = [10, 213];

  it('gives each bottle its own /28 in the pool, clear of the bundles\' shared /20', () => {
    const got = allocateSubnets([{ slug: 'a-11111' }, { slug: 'b-22222' }, { slug: 'c-33333' }], [], pool);
    expect(new Set(got.values()).size).toBe(3);
    for (const s of got.values()) expect(s).toMatch(/^10\.213\.(\d+)\.(\d+)\/28$/);
    for (const s of got.values()) expect(Number(s.split('.')[2])).toBeLessThan(240);
    expect(egressSubnet(pool)).toBe('10.213.240.0/20');
  });

  it('fits 3,840 bottles, and says so when the pool is full', () => {
    const many = Array.from({ length: 3840 }, (_, i) => ({ slug: `a-${i}` }));
    const got = allocateSubnets(many, [], pool);
    expect(new Set(got.values()).size).toBe(3840);
    expect(() => allocateSubnets([...many, { slug: 'one-more' }], [], pool)).toThrow(/no free \/28 left in 10\.213\.0\.0\/16/);
  });

  it('skips subnets that overlap existing networks, wider ones included', () => {
    const first = allocateSubnets([{ slug: 'a-11111' }], [], pool).get('a-11111')!;
    const again = allocateSubnets([{ slug: 'a-11111' }], [first], pool).get('a-11111')!;
    expect(again).not.toBe(first);
    expect(() => allocateSubnets([{ slug: 'a-11111' }], ['10.0.0.0/8'], pool)).toThrow(/no free \/28 left in 10\.213\.0\.0\/16/);
    const around = allocateSubnets([{ slug: 'a-11111' }], ['10.213.0.0/17'], pool).get('a-11111')!;
    expect(Number(around.split('.')[2])).toBeGreaterThanOrEqual(128);
  });

  it('keeps a bottle on its previous subnet while it is free, ahead of newcomers', () => {
    const got = allocateSubnets([{ slug: 'new-00000' }, { slug: 'old-99999', previous: '10.213.7.16/28' }], ['172.17.0.0/16'], pool);
    expect(got.get('old-99999')).toBe('10.213.7.16/28');
    expect(got.get('new-00000')).not.toBe('10.213.7.16/28');
  });

  it('moves a bottle whose previous subnet is now taken', () => {
    const got = allocateSubnets([{ slug: 'old-99999', previous: '10.213.7.16/28' }], ['10.213.7.16/28'], pool);
    expect(got.get('old-99999')).not.toBe('10.213.7.16/28');
  });

  it('derives gateway and bundle addresses, and reads the pool from the environment', () => {
    expect(hostIn('10.213.7.16/28', 2)).toBe('10.213.7.18');
    expect(dynamicRange('10.213.7.16/28')).toBe('10.213.7.24/29');
    expect(poolBase({ BOTTLE_SUBNET_POOL: '10.99.0.0/16' })).toEqual([10, 99]);
    expect(() => poolBase({ BOTTLE_SUBNET_POOL: '10.99.0.0/8' })).toThrow('BOTTLE_SUBNET_POOL must be a /16 like 10.213.0.0/16, got "10.99.0.0/8"');
  });
});

describe('slugFor', () => {
  it('is <agent>-<5 chars>, stable for one manifest location and different for another', () => {
    const a = slugFor('demo', '/home/u/p/bottle.yaml');
    expect(a).toMatch(/^demo-[0-9a-f]{5}$/);
    expect(slugFor('demo', '/home/u/p/bottle.yaml')).toBe(a);
    expect(slugFor('demo', '/home/u/q/bottle.yaml')).not.toBe(a);
  });
});
