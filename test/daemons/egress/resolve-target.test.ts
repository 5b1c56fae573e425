import { describe, expect, it } from 'vitest';
import { createResolver } from '../../../daemons/egress/resolve-target.js';
import { fakeLookup } from './fake-lookup.js';

describe('createResolver', () => {
  it('takes an IP literal as itself, canonical, without a lookup', async () => {
    const fake = fakeLookup({});
    const resolve = createResolver({ hosts: { '127.0.0.1': '10.0.0.1' }, lookup: fake.lookup });
    expect(await resolve('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(await resolve('::ffff:7f00:1')).toEqual(['127.0.0.1']);
    expect(await resolve('0:0::1')).toEqual(['::1']);
    expect(fake.asked).toEqual([]);
  });

  it('answers a name in hosts with its address, before and instead of DNS', async () => {
    const fake = fakeLookup({ 'ca-probe.bottle.internal': ['203.0.113.9'] });
    const resolve = createResolver({ hosts: { 'ca-probe.bottle.internal': '127.0.0.1' }, lookup: fake.lookup });
    expect(await resolve('ca-probe.bottle.internal')).toEqual(['127.0.0.1']);
    expect(fake.asked).toEqual([]);
  });

  it('looks up other names, keeping every address in order, canonical, and dropping what is not one', async () => {
    const fake = fakeLookup({ 'a.test': ['203.0.113.1', '::ffff:10.0.0.1', 'garbage', '2001:DB8::1'] });
    const resolve = createResolver({ hosts: {}, lookup: fake.lookup });
    expect(await resolve('a.test')).toEqual(['203.0.113.1', '10.0.0.1', '2001:db8::1']);
    expect(fake.asked).toEqual(['a.test']);
  });

  it('does not read hosts entries from the prototype', async () => {
    const fake = fakeLookup({});
    const resolve = createResolver({ hosts: {}, lookup: fake.lookup });
    await expect(resolve('constructor')).rejects.toThrow('getaddrinfo ENOTFOUND constructor');
  });

  it('passes on the failure of a name that does not resolve', async () => {
    const resolve = createResolver({ hosts: {}, lookup: fakeLookup({}).lookup });
    await expect(resolve('nope.invalid')).rejects.toThrow('getaddrinfo ENOTFOUND nope.invalid');
  });

  it('uses the system resolver by default: localhost resolves to loopback from the hosts file', async () => {
    const addresses = await createResolver({ hosts: {} })('localhost');
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(['127.0.0.1', '::1']).toContain(address);
  });
});
