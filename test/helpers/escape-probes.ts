/**
 * What the escape tests (test/e2e/escape.test.ts, test/e2e/multi-host.test.ts)
 * run inside a guest to go around its proxy, and the listeners that tell
 * whether anything got through. Everything listens on this machine or in a
 * network namespace the test made; nothing is sent anywhere else.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Connects from inside a guest to each [host, port]; says `open`, or how it failed. */
export const PROBE = `
const net = require('net');
const targets = JSON.parse(process.argv[1]);
Promise.all(targets.map(([host, port]) => new Promise((done) => {
  const s = net.connect({ host, port });
  const t = setTimeout(() => { s.destroy(); done(host + ':' + port + ' timeout'); }, 3000);
  s.on('connect', () => { clearTimeout(t); s.destroy(); done(host + ':' + port + ' open'); });
  s.on('error', (e) => { clearTimeout(t); done(host + ':' + port + ' ' + e.code); });
}))).then((r) => console.log(JSON.stringify(r)));
`;

/**
 * Sends a DNS query for `name` to each server, over UDP, from inside a guest.
 * A server is an address (port 53) or `address:port`.
 */
export const ASK = `
const dgram = require('dgram');
const [name, ...servers] = process.argv.slice(1);
const q = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
  ...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0, 0, 1, 0, 1])]);
const s = dgram.createSocket('udp4');
s.on('error', () => {});
for (const server of servers) { const [host, port] = server.split(':'); s.send(q, Number(port ?? 53), host); }
setTimeout(() => s.close(), 1500);
`;

/** This machine's own IPv4 addresses (not loopback). */
export function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

export interface DnsLogger {
  udp: UdpSocket;
  tcp: Server;
  close(): void;
}

/** A resolver that answers nothing and hands every query it hears (UDP and TCP) to `seen`. */
export async function startDnsLogger(seen: (query: string) => void, { address = '0.0.0.0', port = 53 } = {}): Promise<DnsLogger> {
  const udp = createSocket('udp4');
  udp.on('message', (m) => seen(m.toString('latin1')));
  await new Promise<void>((ok, fail) => udp.once('error', fail).bind(port, address, () => ok()));
  const tcp = createServer((c) => c.on('data', (d) => seen(d.toString('latin1'))));
  await new Promise<void>((ok, fail) => tcp.once('error', fail).listen(port, address, ok));
  return {
    udp,
    tcp,
    close: () => {
      udp.close();
      tcp.close();
    },
  };
}
