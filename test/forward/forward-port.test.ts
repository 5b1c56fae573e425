/**
 * The host half of `bottle port`, with the guest played by this host: each
 * relay is the real relay script (relay.ts) run by the host's `node` as a
 * child process, standing in for the backend's streamed exec; the "guest"
 * server listens on this host's 127.0.0.1. What is checked is what a user
 * notices: pages come through, connections at once, the listener is on
 * 127.0.0.1 only, a refused guest port is said, and stopping leaves no relay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GuestProcess } from '../../lib/backends/types.js';
import { ForwardError, forwardPort, type ForwardOptions } from '../../lib/forward/forward-port.js';
import { relayArgv } from '../../lib/forward/relay.js';

let guestServer: HttpServer;
let guestPort: number;
let relays: ChildProcess[];

/** A GuestProcess as a backend gives one: here a local child running the relay. */
function localRelay(port: number): Promise<GuestProcess> {
  const [file, ...args] = relayArgv(port);
  const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  relays.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin!.on('error', () => undefined);
  const ended = new Promise<{ stderr: string }>((resolve) => child.once('close', () => resolve({ stderr })));
  return Promise.resolve({
    stdin: child.stdin!,
    stdout: child.stdout!,
    ended,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
  });
}

const running = () => relays.filter((c) => c.exitCode === null && c.signalCode === null).length;

/** Starts forwarding; resolves with its port, the problems it reported, its end, and a way to stop it. */
async function forward(overrides: Partial<ForwardOptions> = {}) {
  const controller = new AbortController();
  const problems: string[] = [];
  let listening: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => (listening = resolve));
  const done = forwardPort({
    openRelay: () => localRelay(guestPort),
    hostPort: 0,
    signal: controller.signal,
    onListening: (p) => listening(p),
    onProblem: (m) => problems.push(m),
    ...overrides,
  });
  void done.catch(() => undefined);
  return { port: await Promise.race([port, done.then(() => -1)]), problems, done, stop: () => controller.abort() };
}

function get(port: number): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).then((r) => r.text());
}

async function eventually(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok(), what).toBe(true);
}

beforeEach(async () => {
  relays = [];
  guestServer = createHttpServer((_q, s) => s.end('hello from the guest'));
  await new Promise<void>((r) => guestServer.listen(0, '127.0.0.1', r));
  guestPort = (guestServer.address() as AddressInfo).port;
});

afterEach(async () => {
  for (const r of relays) r.kill('SIGKILL');
  guestServer.closeAllConnections();
  await new Promise((r) => guestServer.close(r));
});

describe('forwardPort', () => {
  it('carries pages from the guest port, several connections at once, each through a relay of its own', async () => {
    const f = await forward();
    expect(await Promise.all([get(f.port), get(f.port), get(f.port)])).toEqual(Array(3).fill('hello from the guest'));
    expect(relays).toHaveLength(3);
    f.stop();
    await f.done;
    expect(f.problems).toEqual([]);
  });

  it('listens on 127.0.0.1 only', async () => {
    const f = await forward();
    const others = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.internal);
    for (const a of others) {
      const refused = await new Promise<boolean>((resolve) => connect(f.port, a!.address).once('connect', () => resolve(false)).once('error', () => resolve(true)));
      expect(refused, a!.address).toBe(true);
    }
    f.stop();
    await f.done;
  });

  it('on abort closes the listener and every open connection, and stops every relay before it resolves', async () => {
    const f = await forward();
    const open = [connect(f.port, '127.0.0.1'), connect(f.port, '127.0.0.1')];
    const closed = open.map((s) => new Promise((r) => s.on('error', () => undefined).once('close', r)));
    await eventually(() => running() === 2, 'two relays running');
    f.stop();
    await f.done;
    expect(running()).toBe(0);
    await Promise.all(closed);
    const refused = await new Promise<boolean>((resolve) => connect(f.port, '127.0.0.1').once('connect', () => resolve(false)).once('error', () => resolve(true)));
    expect(refused).toBe(true);
  });

  it('says why a connection got nothing when nothing listens on the guest port', async () => {
    const f = await forward({ openRelay: () => localRelay(1) });
    const s = connect(f.port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise((r) => s.once('end', r).resume());
    s.destroy();
    await eventually(() => f.problems.length === 1, 'a problem said');
    expect(f.problems[0]).toMatch(/^cannot connect to 127\.0\.0\.1:1 in the guest: connect ECONNREFUSED/);
    f.stop();
    await f.done;
  });

  it('closes a client gone away, and its relay, when the guest keeps its side open and sends nothing', async () => {
    const stubborn: Server = createServer({ allowHalfOpen: true }, () => undefined);
    await new Promise<void>((r) => stubborn.listen(0, '127.0.0.1', r));
    const f = await forward({ openRelay: () => localRelay((stubborn.address() as AddressInfo).port), halfClosedIdleMs: 50 });
    const s = connect(f.port, '127.0.0.1');
    s.on('error', () => undefined);
    await eventually(() => running() === 1, 'a relay running');
    s.end();
    await eventually(() => running() === 0, 'the relay stopped');
    f.stop();
    await f.done;
    stubborn.close();
  });

  it('refuses a host port that is taken, naming it', async () => {
    const taken = await forward();
    const error = await forwardPort({ openRelay: () => localRelay(guestPort), hostPort: taken.port, signal: new AbortController().signal, onListening: () => undefined, onProblem: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForwardError);
    expect((error as ForwardError).message).toBe(`127.0.0.1:${taken.port} is taken on this host; pick another --host-port, or leave it out for a free one`);
    taken.stop();
    await taken.done;
  });
});
