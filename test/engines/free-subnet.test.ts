/** Picking a /16 for a test engine (test/helpers/free-subnet.ts); reads the host's real addresses and routes, creates nothing. */
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { overlaps, parseCidr, pickFreeSlash16, rangesInUse, releaseSlash16 } from '../helpers/free-subnet.js';

/** A host engine whose only network is `subnet`. */
const engineWith = (subnet: string) => ({ listNetworks: async () => [{ Name: 'n', IPAM: { Config: [{ Subnet: subnet }] } }] }) as unknown as Docker;

describe('free-subnet', () => {
  it('tells overlapping ranges apart, the wider one either side', () => {
    expect(overlaps(parseCidr('10.150.0.0/16'), parseCidr('10.150.255.252/30'))).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/9'), parseCidr('10.127.1.0/24'))).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/9'), parseCidr('10.128.0.0/16'))).toBe(false);
    expect(overlaps(parseCidr('192.0.2.2'), parseCidr('192.0.2.0/24'))).toBe(true);
    expect(() => parseCidr('10.300.0.0/16')).toThrow(/expected an IPv4 CIDR like 10\.1\.2\.0\/24, got "10\.300\.0\.0\/16"/);
  });

  it('picks a /16 clear of the host engine networks, the host routes and its own earlier picks', async () => {
    const engine = engineWith('10.0.0.0/9');
    const first = await pickFreeSlash16(engine);
    const second = await pickFreeSlash16(engine);
    try {
      for (const x of [first, second]) expect(x).toBeGreaterThanOrEqual(128);
      expect(second).not.toBe(first);
      const used = (await rangesInUse(engine)).map(parseCidr);
      expect(used.some((u) => overlaps(u, parseCidr(`10.${first}.0.0/16`)))).toBe(false);
    } finally {
      releaseSlash16(first);
      releaseSlash16(second);
    }
  });

  it('says so when every candidate is taken', async () => {
    await expect(pickFreeSlash16(engineWith('10.0.0.0/8'))).rejects.toThrow(/no free \/16 in 10\.100\.0\.0 - 10\.199\.255\.255 for a test engine/);
  });
});
