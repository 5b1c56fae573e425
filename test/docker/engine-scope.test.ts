/**
 * Which engine a call goes to: the scope's (`withEngine`), nested scopes
 * and concurrent ones each keeping their own, through awaits, timers and
 * retries; the process's own outside every scope; and what a client knows
 * of its engine (whether it answered, how errors name it) kept per engine.
 * Three fake engines on unix sockets stand for three Docker Engines; real
 * dockerode talks to them.
 */
import { setImmediate as yieldOnce } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bindEngine, call, docker, dockerError, engine, withEngine } from '../../lib/docker/client.js';
import { parseDockerHost, type Endpoint } from '../../lib/docker/endpoint.js';
import { startFakeEngine, type FakeEngine } from './fake-engine.js';

let home: FakeEngine;
let b: FakeEngine;
let c: FakeEngine;
let atB: Endpoint;
let atC: Endpoint;

const list = () => call('list containers', () => docker().listContainers());
/** Requests each engine saw since the test began: [home, b, c]. */
const seen = () => [home.seen.length, b.seen.length, c.seen.length];

beforeAll(async () => {
  [home, b, c] = await Promise.all([startFakeEngine(), startFakeEngine(), startFakeEngine()]);
  // The process's engine, read at its first use: this file's first call.
  process.env.DOCKER_HOST = `unix://${home.socketPath}`;
  atB = parseDockerHost(`unix://${b.socketPath}`, 'hosts.b');
  atC = parseDockerHost(`unix://${c.socketPath}`, 'hosts.c');
});
afterAll(() => Promise.all([home, b, c].map((e) => e?.close())));
beforeEach(() => {
  for (const e of [home, b, c]) e.seen.length = 0;
});

describe('a scope', () => {
  it("outside every scope, calls go to the process's engine", async () => {
    await list();
    expect(seen()).toEqual([1, 0, 0]);
    expect(engine().endpoint.source).toBe('DOCKER_HOST');
  });

  it("sends every call of what it runs, through awaits and timers, to its engine; after it, the process's again", async () => {
    await withEngine(atB, async () => {
      await list();
      await new Promise((r) => setTimeout(r, 0));
      await yieldOnce();
      await list();
    });
    await list();
    expect(seen()).toEqual([1, 2, 0]);
  });

  it('nests: the innermost wins until it returns; undefined is the process\'s engine even inside another', async () => {
    const order: string[] = [];
    const where = () => order.push(engine().endpoint.source);
    await withEngine(atB, async () => {
      await list();
      where();
      await withEngine(atC, async () => {
        await list();
        where();
        await withEngine(undefined, async () => (await list(), where()));
      });
      await list();
      where();
    });
    expect(order).toEqual(['hosts.b', 'hosts.c', 'DOCKER_HOST', 'hosts.b']);
    expect(seen()).toEqual([1, 2, 1]);
  });

  it('concurrent scopes in Promise.all keep their own engine across interleaved awaits', async () => {
    const wrong: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const [endpoint, name] = i % 2 === 0 ? [atB, 'hosts.b'] : [atC, 'hosts.c'];
        return withEngine(endpoint, async () => {
          for (let round = 0; round < 3; round++) {
            await list();
            for (let k = 0; k < i % 4; k++) await yieldOnce();
            if (engine().endpoint.source !== name) wrong.push(`${i}/${round}: ${engine().endpoint.source}`);
          }
        });
      }),
    );
    expect(wrong).toEqual([]);
    expect(seen()).toEqual([0, 30, 30]);
  });

  it('keeps a call sent again after a busy answer on its engine', async () => {
    b.answer('GET /containers/json', { status: 503, message: 'busy' }, { status: 500, message: 'context deadline exceeded' });
    await withEngine(atB, list);
    expect(seen()).toEqual([0, 3, 0]);
  });

  it('a function bound in a scope calls its engine from wherever it is called later; one bound outside, the process\'s', async () => {
    const fromB = withEngine(atB, () => bindEngine(list));
    const fromOutside = bindEngine(list);
    await fromB();
    await withEngine(atC, fromOutside);
    expect(seen()).toEqual([1, 1, 0]);
  });
});

describe('a client per engine', () => {
  it('is one for one engine, whatever each endpoint calls it', () => {
    const same = parseDockerHost(`unix://${b.socketPath}`, 'another name for b');
    expect(withEngine(atB, engine)).toBe(withEngine(same, engine));
    expect(withEngine(atB, engine)).not.toBe(withEngine(atC, engine));
  });

  it('knows whether its own engine answered: one that did says nothing of another', async () => {
    const d = await startFakeEngine();
    const atD = parseDockerHost(`unix://${d.socketPath}`, 'hosts.d');
    try {
      await withEngine(atB, list);
      expect(withEngine(atB, () => engine().answered)).toBe(true);
      expect(withEngine(atD, () => engine().answered)).toBe(false);
      d.answer('GET /containers/json', { status: 404, message: 'page not found' });
      await expect(withEngine(atD, list)).rejects.toThrow('page not found');
      expect(withEngine(atD, () => engine().answered)).toBe(true);
    } finally {
      await d.close();
    }
  });

  it("names in errors the engine of the scope, and what to correct", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'connect' });
    expect(withEngine(atB, () => dockerError('list containers', refused).message)).toBe(
      `cannot reach the Docker Engine at ${b.socketPath} (hosts.b): ECONNREFUSED; start Docker, or correct hosts.b`,
    );
    expect(dockerError('list containers', refused).message).toBe(
      `cannot reach the Docker Engine at ${home.socketPath} (DOCKER_HOST): ECONNREFUSED; start Docker, or point DOCKER_HOST or the Docker context at a running one`,
    );
  });
});
