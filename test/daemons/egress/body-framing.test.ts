/**
 * Body framing: the rule on its own, then through the real proxy with raw
 * requests, whether node's parser refuses them first (a 400 from node) or the
 * proxy does (a 400 of its own, audited). Either way the upstream receives
 * nothing. node 20 emits a request whose only fault is a Transfer-Encoding
 * other than chunked, and fails it on the body afterwards: the proxy's own
 * check is what keeps those from being forwarded.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { forwardedHeaders, framingProblem } from '../../../daemons/egress/body-framing.js';
import { sendRaw } from './proxy-clients.js';
import { startProxy } from './start-proxy.js';
import { startHttpUpstream } from './upstreams.js';

const LOCAL = '127.0.0.1';

describe('framingProblem', () => {
  it('accepts one Content-Length, repeated identical values, chunked alone, or no framing', () => {
    expect(framingProblem([])).toBeUndefined();
    expect(framingProblem(['Content-Length', '5'])).toBeUndefined();
    expect(framingProblem(['Content-Length', '5', 'content-length', ' 5 '])).toBeUndefined();
    expect(framingProblem(['Transfer-Encoding', 'chunked'])).toBeUndefined();
    expect(framingProblem(['transfer-encoding', 'CHUNKED'])).toBeUndefined();
  });

  it('names what is wrong: lengths that differ, a length with an encoding, an encoding other than chunked', () => {
    expect(framingProblem(['Content-Length', '5', 'Content-Length', '6'])).toBe('conflicting Content-Length headers (5, 6)');
    expect(framingProblem(['Content-Length', '5', 'Transfer-Encoding', 'chunked'])).toBe('both Content-Length and Transfer-Encoding');
    expect(framingProblem(['Transfer-Encoding', 'gzip, chunked'])).toBe('Transfer-Encoding "gzip, chunked"; only chunked is forwarded');
    expect(framingProblem(['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'])).toBe('Transfer-Encoding "chunked, chunked"; only chunked is forwarded');
    expect(framingProblem(['Transfer-Encoding', 'identity'])).toBe('Transfer-Encoding "identity"; only chunked is forwarded');
  });
});

describe('forwardedHeaders', () => {
  const message = (rawHeaders: string[], contentLength?: string) =>
    ({ rawHeaders, headers: contentLength === undefined ? {} : { 'content-length': contentLength } }) as unknown as IncomingMessage;

  it('carries the one Content-Length node parsed, never the raw values', () => {
    expect(forwardedHeaders(message(['Content-Length', '2', 'content-length', '2', 'X-A', 'a'], '2'))).toEqual({ 'x-a': 'a', 'content-length': '2' });
  });

  it('carries no framing for a chunked or bodiless message: node frames what it sends', () => {
    expect(forwardedHeaders(message(['Transfer-Encoding', 'chunked', 'X-A', 'a']))).toEqual({ 'x-a': 'a' });
    expect(forwardedHeaders(message(['X-A', 'a']))).toEqual({ 'x-a': 'a' });
  });
});

describe('request framing through the proxy', () => {
  const post = (port: number, framing: string, body: string) =>
    `POST http://${LOCAL}:${port}/up HTTP/1.1\r\nHost: ${LOCAL}:${port}\r\n${framing}\r\n${body}`;

  it.each([
    ['Content-Length values that differ', 'Content-Length: 3\r\nContent-Length: 5\r\n', 'abcde'],
    ['Content-Length repeated', 'Content-Length: 3\r\nContent-Length: 3\r\n', 'abc'],
    ['Content-Length with Transfer-Encoding', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'],
    ['chunked twice', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'],
    ['a Content-Length list', 'Content-Length: 3, 3\r\n', 'abc'],
  ])('node refuses %s with 400 before the proxy sees it; nothing goes upstream', async (_name, framing, body) => {
    const upstream = await startHttpUpstream((_req, res) => res.end('must not be seen'));
    const { port, stop } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    expect(await sendRaw(port, post(upstream.port, framing, body))).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([]);
  });

  it.each([
    ['gzip', 'abc'],
    ['identity', 'abc'],
    ['gzip, chunked', '3\r\nabc\r\n0\r\n\r\n'],
  ])('refuses Transfer-Encoding %s (node emits the request) with its own audited 400; nothing goes upstream', async (coding, body) => {
    const upstream = await startHttpUpstream((_req, res) => res.end('must not be seen'));
    const { port, stop } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    const answer = await sendRaw(port, post(upstream.port, `Transfer-Encoding: ${coding}\r\n`, body));
    const reason = `malformed request body framing: Transfer-Encoding "${coding}"; only chunked is forwarded`;
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain(`\r\n\r\nbot-bottle egress: ${reason}`);
    expect(upstream.seen).toEqual([]);
    expect(await stop()).toEqual([expect.objectContaining({ method: 'POST', host: LOCAL, port: upstream.port, decision: 'deny', status: 400, reason })]);
  });

  it('forwards a Content-Length body with that one length, and a chunked body re-chunked', async () => {
    const upstream = await startHttpUpstream((req, res) => res.end(`got ${req.body}`));
    const { port } = await startProxy([{ host: LOCAL, port: upstream.port }]);
    expect(await sendRaw(port, post(upstream.port, 'Content-Length: 3\r\nConnection: close\r\n', 'abc'))).toMatch(/\r\n\r\ngot abc$/);
    expect(await sendRaw(port, post(upstream.port, 'Transfer-Encoding: chunked\r\nConnection: close\r\n', '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'))).toMatch(/\r\n\r\ngot abcde$/);
    const [byLength, chunked] = upstream.seen;
    expect(byLength?.headers['content-length']).toBe('3');
    expect(byLength?.headers['transfer-encoding']).toBeUndefined();
    expect(chunked?.headers['transfer-encoding']).toBe('chunked');
    expect(chunked?.headers['content-length']).toBeUndefined();
  });
});
