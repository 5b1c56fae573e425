/**
 * What is measured, one closed set of scenarios, each a way of sending `n`
 * requests on a route and timing each one in ms: GETs kept alive on one
 * HTTP/1.1 connection (the connection's setup untimed), GETs on a new
 * connection each (CONNECT, TLS and the request all timed), GETs as
 * streams of one HTTP/2 session, and 1 MiB POSTs kept alive on HTTP/1.1 (the
 * body the proxy reads whole and scans). Requests go one after another,
 * never at once. It does not pick routes or summarise.
 */
import type { BenchRequest, Connection } from './clients.js';
import { http1Connection, http2Connection } from './clients.js';
import type { Alpn, Route } from './routes.js';
import { openTls } from './routes.js';

export type ScenarioKey = 'get_h1' | 'get_h1_new' | 'get_h2' | 'post_1mib';

export interface Scenario {
  readonly key: ScenarioKey;
  readonly label: string;
  readonly requests: number;
  run(route: Route, n: number): Promise<number[]>;
}

export interface ScenarioCounts {
  /** GETs per route, kept alive (HTTP/1.1 and HTTP/2). */
  readonly keptAlive: number;
  /** GETs per route on a new connection each. */
  readonly newEach: number;
  /** 1 MiB POSTs per route, kept alive. */
  readonly posts: number;
}

const MIB = 1024 * 1024;

async function open(route: Route, alpn: Alpn): Promise<Connection> {
  const secure = await openTls(route, alpn);
  return alpn === 'h2' ? http2Connection(secure, route.authority) : http1Connection(secure, route.authority);
}

function keptAlive(alpn: Alpn, req: BenchRequest): Scenario['run'] {
  return async (route, n) => {
    const connection = await open(route, alpn);
    const ms: number[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        await connection.send(req);
        ms.push(performance.now() - started);
      }
    } finally {
      connection.close();
    }
    return ms;
  };
}

function newEach(alpn: Alpn, req: BenchRequest): Scenario['run'] {
  return async (route, n) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      const connection = await open(route, alpn);
      try {
        await connection.send(req);
      } finally {
        connection.close();
      }
      ms.push(performance.now() - started);
    }
    return ms;
  };
}

/**
 * `bytes` of prose-like text from a fixed seed: words and line breaks, none
 * of them a secret pattern's match, so the scan reads it all and finds nothing.
 */
export function textBody(bytes: number): Buffer {
  const words = ['egress', 'proxy', 'bottle', 'request', 'const', 'return', 'value', 'the', 'of', 'and', 'function', '{', '}', '=>', 'json', 'tunnel', '42', 'lorem', 'ipsum'];
  const parts: string[] = [];
  let length = 0;
  let seed = 0x2545f491;
  while (length < bytes) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const word = words[seed % words.length]!;
    const part = seed % 11 === 0 ? `${word}\n` : `${word} `;
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(parts.join('').slice(0, bytes));
}

export function benchScenarios(counts: ScenarioCounts): readonly Scenario[] {
  const get: BenchRequest = { method: 'GET', path: '/v1/items?page=1' };
  const post: BenchRequest = { method: 'POST', path: '/v1/upload', body: textBody(MIB) };
  return [
    { key: 'get_h1', label: 'GET, HTTP/1.1, kept alive', requests: counts.keptAlive, run: keptAlive('http/1.1', get) },
    { key: 'get_h1_new', label: 'GET, HTTP/1.1, new connection each', requests: counts.newEach, run: newEach('http/1.1', get) },
    { key: 'get_h2', label: 'GET, HTTP/2, one session', requests: counts.keptAlive, run: keptAlive('h2', get) },
    { key: 'post_1mib', label: 'POST 1 MiB, HTTP/1.1, kept alive', requests: counts.posts, run: keptAlive('http/1.1', post) },
  ];
}
