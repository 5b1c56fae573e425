/**
 * Which targets are admitted and at which address: admitTarget on its own
 * with a fake lookup, then the same rules through the real proxy, by CONNECT
 * and by absolute-form http://, to real upstreams on 127.0.0.1 (a private
 * address, so reaching them takes a rule naming it).
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAddressPolicy } from '../../../daemons/egress/address-policy.js';
import { admitTarget } from '../../../daemons/egress/admit-target.js';
import type { AllowRule } from '../../../daemons/egress/allowlist.js';
import { createResolver } from '../../../daemons/egress/resolve-target.js';
import { fakeLookup, heldLookup } from './fake-lookup.js';
import { untilConnections } from './open-connections.js';
import { readToEnd, sendConnect, viaProxy } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import { startEchoServer, startHttpUpstream } from './upstreams.js';

const LOCAL = '127.0.0.1';

function admit(allow: AllowRule[], table: Record<string, readonly string[]>, deny: string[] = []) {
  const fake = fakeLookup(table);
  const options = { allow, resolve: createResolver({ hosts: {}, lookup: fake.lookup }), policy: createAddressPolicy(deny) };
  return { fake, at: (host: string, port: number) => admitTarget({ host, port }, options) };
}

describe('admitTarget', () => {
  it('refuses a name not on the allowlist without looking it up', async () => {
    const { fake, at } = admit([{ host: 'a.test', port: 443 }], { 'b.test': ['203.0.113.1'] });
    expect(await at('b.test', 443)).toMatchObject({ ok: false, decision: 'deny', reply: { status: 403, reason: 'not on the allowlist' } });
    expect(await at('a.test', 80)).toMatchObject({ ok: false, decision: 'deny' });
    expect(fake.asked).toEqual([]);
  });

  it('admits an allowed name at its public address', async () => {
    const { at } = admit([{ host: 'a.test', port: 443 }], { 'a.test': ['203.0.113.1'] });
    expect(await at('a.test', 443)).toEqual({ ok: true, address: '203.0.113.1' });
  });

  it('refuses an allowed name that resolves only to private addresses, naming the first', async () => {
    const { at } = admit([{ host: 'a.test', port: 443 }], { 'a.test': ['169.254.169.254', '::1'] });
    expect(await at('a.test', 443)).toEqual({
      ok: false,
      decision: 'deny',
      reply: {
        status: 403,
        text: 'bot-bottle egress: a.test:443 resolves to 169.254.169.254, a private address; name that address (or a CIDR block containing it) in an allow rule to reach it',
        reason: 'resolves to 169.254.169.254, a private address',
      },
    });
  });

  it('skips refused addresses for one that passes', async () => {
    const { at } = admit([{ host: 'a.test', port: 443 }], { 'a.test': ['10.0.0.1', '::ffff:127.0.0.1', '203.0.113.1'] });
    expect(await at('a.test', 443)).toEqual({ ok: true, address: '203.0.113.1' });
  });

  it('lets a rule naming the address, or a block containing it, on the same port lift the refusal', async () => {
    const table = { 'a.test': ['10.1.2.3'] };
    expect(await admit([{ host: 'a.test', port: 443 }, { host: '10.1.2.3', port: 443 }], table).at('a.test', 443)).toEqual({ ok: true, address: '10.1.2.3' });
    expect(await admit([{ host: 'a.test', port: 443 }, { host: '10.0.0.0/8', port: 443 }], table).at('a.test', 443)).toEqual({ ok: true, address: '10.1.2.3' });
    expect(await admit([{ host: 'a.test', port: 443 }, { host: '10.0.0.0/8', port: 8443 }], table).at('a.test', 443)).toMatchObject({ ok: false, decision: 'deny' });
    expect(await admit([{ host: 'a.test', port: 443 }, { host: '*.test', port: 443 }], table).at('a.test', 443)).toMatchObject({ ok: false, decision: 'deny' });
  });

  it('admits an IP literal named by a rule, even a private one, and refuses it without one', async () => {
    const { fake, at } = admit([{ host: '10.0.0.0/8', port: 443 }], {});
    expect(await at('10.9.8.7', 443)).toEqual({ ok: true, address: '10.9.8.7' });
    expect(await at('11.0.0.1', 443)).toMatchObject({ ok: false, reply: { status: 403, reason: 'not on the allowlist' } });
    expect(fake.asked).toEqual([]);
  });

  it("refuses an address on the deny list, saying so", async () => {
    const { at } = admit([{ host: 'a.test', port: 443 }], { 'a.test': ['203.0.113.7'] }, ['203.0.113.0/24']);
    expect(await at('a.test', 443)).toMatchObject({
      ok: false,
      decision: 'deny',
      reply: { status: 403, reason: "resolves to 203.0.113.7, an address on this bottle's deny list" },
    });
  });

  it('answers 502 for an allowed name that does not resolve, or resolves to nothing', async () => {
    const { at } = admit([{ host: '*.test', port: 443 }], { 'empty.test': [] });
    expect(await at('nope.test', 443)).toMatchObject({ ok: false, decision: 'allow', reply: { status: 502, reason: 'getaddrinfo ENOTFOUND nope.test' } });
    expect(await at('empty.test', 443)).toMatchObject({ ok: false, decision: 'allow', reply: { status: 502, reason: 'the name resolves to no address' } });
  });
});

describe('private destinations through the proxy', () => {
  it('refuses CONNECT to a name rule that resolves to loopback (LOCALHOST.), and never connects', async () => {
    const echo = await startEchoServer();
    const { port, stop } = await startProxy([{ host: 'localhost', port: echo.port }]);
    const refused = await sendConnect(port, `LOCALHOST.:${echo.port}`);
    expect(refused.status).toBe(403);
    const body = await readToEnd(refused.socket, refused.rest);
    expect(body).toMatch(new RegExp(`^bot-bottle egress: localhost:${echo.port} resolves to (127\\.0\\.0\\.1|::1), a private address; name that address`));
    expect(echo.connections()).toBe(0);
    expect(await stop()).toEqual([
      expect.objectContaining({ method: 'CONNECT', host: 'localhost', port: echo.port, decision: 'deny', status: 403, reason: expect.stringMatching(/^resolves to (127\.0\.0\.1|::1), a private address$/) }),
    ]);
  });

  it('tunnels to the same name once a rule names its address, connecting to that address', async () => {
    const echo = await startEchoServer();
    const { port, stop } = await startProxy([{ host: 'localhost', port: echo.port }, { host: LOCAL, port: echo.port }]);
    const tunnel = await sendConnect(port, `localhost:${echo.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.end('hi');
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('hi');
    expect(await stop()).toEqual([expect.objectContaining({ host: 'localhost', decision: 'allow', status: 200, address: LOCAL })]);
  });

  it('refuses an absolute http:// request by name to loopback, and forwards it once the address is named', async () => {
    const upstream = await startHttpUpstream((_req, res) => res.end('reached'));
    const refusing = await startProxy([{ host: 'localhost', port: upstream.port }]);
    const refused = await viaProxy(refusing.port, { url: `http://localhost:${upstream.port}/x` });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('a private address; name that address');
    expect(upstream.seen).toEqual([]);

    const allowing = await startProxy([{ host: 'localhost', port: upstream.port }, { host: LOCAL, port: upstream.port }]);
    expect(await viaProxy(allowing.port, { url: `http://localhost:${upstream.port}/x` })).toMatchObject({ status: 200, body: 'reached' });
    expect(upstream.seen[0]?.headers.host).toBe(`localhost:${upstream.port}`);
  });

  it('reads every spelling of an IP literal as the address it means', async () => {
    const upstream = await startHttpUpstream((_req, res) => res.end('reached'));
    const { port, stop } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    for (const host of ['2130706433', '0x7f.1', '127.1', '0177.0.0.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      expect(await viaProxy(port, { url: `http://${host}:${upstream.port}/` }), host).toMatchObject({ status: 200, body: 'reached' });
    }
    // ::1 is another address: the rule naming 127.0.0.1 does not cover it.
    expect((await viaProxy(port, { url: `http://[::1]:${upstream.port}/` })).status).toBe(403);
    const lines = await stop();
    expect(lines.map((line) => `${line.host} ${line.status}`)).toEqual([...Array<string>(6).fill(`${LOCAL} 200`), '::1 403']);
  });

  it('reads IP spellings in CONNECT targets the same way', async () => {
    const echo = await startEchoServer();
    const { port } = await startProxy([{ host: LOCAL, port: echo.port }]);
    for (const authority of [`127.1:${echo.port}`, `[::ffff:127.0.0.1]:${echo.port}`, `2130706433:${echo.port}`]) {
      const tunnel = await sendConnect(port, authority);
      expect(tunnel.status, authority).toBe(200);
      tunnel.socket.end('x');
      expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('x');
    }
    expect((await sendConnect(port, `[::1]:${echo.port}`)).status).toBe(403);
  });

  it('resolves a name pinned in hosts to its address, without DNS, and still judges that address', async () => {
    const echo = await startEchoServer();
    const fake = fakeLookup({});
    const hosts = { 'ca-probe.bottle.internal': LOCAL };
    const nameOnly = await startProxy([{ host: 'ca-probe.bottle.internal', port: echo.port }], { hosts, lookup: fake.lookup });
    const refused = await sendConnect(nameOnly.port, `ca-probe.bottle.internal:${echo.port}`);
    expect(refused.status).toBe(403);
    expect(await readToEnd(refused.socket, refused.rest)).toContain(`resolves to ${LOCAL}, a private address`);

    const named = await startProxy([{ host: 'ca-probe.bottle.internal', port: echo.port }, { host: LOCAL, port: echo.port }], { hosts, lookup: fake.lookup });
    const tunnel = await sendConnect(named.port, `ca-probe.bottle.internal:${echo.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.end('probe');
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('probe');
    expect(fake.asked).toEqual([]);
    expect(echo.connections()).toBe(1);
  });

  it('reaches a name through a CIDR rule covering its address, passing over a refused one', async () => {
    const echo = await startEchoServer();
    const fake = fakeLookup({ 'svc.test': ['10.0.0.1', LOCAL] });
    const { port, stop } = await startProxy([{ host: 'svc.test', port: echo.port }, { host: '127.0.0.0/8', port: echo.port }], { lookup: fake.lookup });
    const tunnel = await sendConnect(port, `svc.test:${echo.port}`);
    expect(tunnel.status).toBe(200);
    tunnel.socket.end('cidr');
    expect(await readToEnd(tunnel.socket, tunnel.rest)).toBe('cidr');
    expect(await stop()).toEqual([expect.objectContaining({ host: 'svc.test', status: 200, address: LOCAL })]);
  });

  it('refuses an address on the deny list, by CONNECT and by http://', async () => {
    const fake = fakeLookup({ 'pub.test': ['203.0.113.7'] });
    const { port, stop } = await startProxy([{ host: 'pub.test', port: null }], { deny: ['203.0.113.0/24'], lookup: fake.lookup });
    const refused = await sendConnect(port, 'pub.test:443');
    expect(refused.status).toBe(403);
    expect(await readToEnd(refused.socket, refused.rest)).toContain("resolves to 203.0.113.7, an address on this bottle's deny list");
    expect((await viaProxy(port, { url: 'http://pub.test/' })).status).toBe(403);
    expect((await stop()).map((line) => line.reason)).toEqual([
      "resolves to 203.0.113.7, an address on this bottle's deny list",
      "resolves to 203.0.113.7, an address on this bottle's deny list",
    ]);
  });

  it('never looks up a name the allowlist refuses, and answers 502 for an allowed one that does not resolve', async () => {
    const fake = fakeLookup({});
    const { port, stop } = await startProxy([{ host: 'gone.test', port: 443 }], { lookup: fake.lookup });
    expect((await sendConnect(port, 'other.test:443')).status).toBe(403);
    expect((await viaProxy(port, { url: 'http://other.test:443/' })).status).toBe(403);
    const failed = await sendConnect(port, 'gone.test:443');
    expect(failed.status).toBe(502);
    expect(await readToEnd(failed.socket, failed.rest)).toBe('bot-bottle egress: cannot reach gone.test:443: getaddrinfo ENOTFOUND gone.test');
    expect(fake.asked).toEqual(['gone.test']);
    expect((await stop()).map((line) => `${line.decision} ${line.status}`)).toEqual(['deny 403', 'deny 403', 'allow 502']);
  });

  it.each([
    ['CONNECT', (port: number) => `CONNECT slow.test:${port} HTTP/1.1\r\nHost: slow.test\r\n\r\n`],
    ['GET', (port: number) => `GET http://slow.test:${port}/ HTTP/1.1\r\nHost: slow.test\r\n\r\n`],
  ])('does not connect for a %s client that left while the name was being resolved', async (method, head) => {
    const echo = await startEchoServer();
    const held = heldLookup();
    const { port, proxy, stop } = await startProxy([{ host: 'slow.test', port: echo.port }, { host: LOCAL, port: echo.port }], { lookup: held.lookup });
    const leaving = connect({ host: LOCAL, port });
    leaving.on('error', () => undefined);
    leaving.write(head(echo.port));
    await held.asked;
    leaving.resetAndDestroy();
    await untilConnections(proxy.server, 0);
    held.release([LOCAL]);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    expect(await stop()).toEqual([expect.objectContaining({ method, host: 'slow.test', decision: 'allow', status: 0 })]);
    expect(echo.connections()).toBe(0);
  });
});
