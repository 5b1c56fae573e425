/**
 * The daemon's entry point as a real child process, run the way the bundle
 * runs it (from TypeScript here, through tsx): the listening line on stderr,
 * the health endpoints, a clean exit on SIGTERM and SIGINT, exit 2 on a bad
 * config, and surviving an error no code handled.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpsGet } from './https-get.js';
import { makeCert } from './make-cert.js';
import { viaProxy } from './proxy-clients.js';
import { tempDir } from '../../state/temp-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'daemons/egress/main.ts';
const FAIL_ON_SIGNAL = './test/daemons/egress/fixtures/fail-on-signal.ts';

function startMain(args: readonly string[], env: Record<string, string> = {}, preload: readonly string[] = []): ResultPromise<{ reject: false }> {
  const imports = ['tsx', ...preload].flatMap((module) => ['--import', module]);
  const child = execa('node', [...imports, MAIN, ...args], { cwd: REPO, env, reject: false });
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Reads the child's stderr line by line: each call resolves with the next line that contains `text`. */
function stderrLines(child: ResultPromise<{ reject: false }>): (text: string) => Promise<string> {
  const lines = createInterface({ input: child.stderr! })[Symbol.asyncIterator]();
  const seen: string[] = [];
  return async (text) => {
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      seen.push(next.value);
      if (next.value.includes(text)) return next.value;
    }
    throw new Error(`the daemon ended before writing "${text}"; stderr: ${seen.join('\n')}`);
  };
}

/** The first stderr line that says the daemon is listening; fails if the process ends first. */
function listeningLine(child: ResultPromise<{ reject: false }>): Promise<string> {
  return stderrLines(child)('listening on');
}

async function writeConfig(config: object): Promise<string> {
  const path = join(await tempDir(), 'egress.json');
  await writeFile(path, JSON.stringify(config));
  return path;
}

describe('main.ts', () => {
  it('listens, answers /health on both ports, audits, and exits 0 on SIGTERM', async () => {
    const cert = await makeCert();
    const auditLog = join(await tempDir(), 'var', 'log', 'egress.jsonl');
    const configPath = await writeConfig({
      listen: { host: '127.0.0.1', port: 0 },
      allow: [{ host: '*.example.com', port: null }],
      auditLog,
      tls: { port: 0, cert: cert.certPath, key: cert.keyPath },
    });
    const child = startMain([configPath]);
    const line = await listeningLine(child);
    const match = /listening on 127\.0\.0\.1:(\d+), TLS health on 127\.0\.0\.1:(\d+); 1 allow rule\(s\); audit log (.+)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [proxyPort, tlsPort] = [Number(match?.[1]), Number(match?.[2])];
    expect(match?.[3]).toBe(auditLog);

    expect(JSON.parse((await viaProxy(proxyPort, { url: '/health' })).body)).toEqual({ status: 'ok', daemon: 'egress' });
    expect((await httpsGet(tlsPort, '/health', cert.ca)).status).toBe(200);
    expect((await viaProxy(proxyPort, { url: 'http://127.0.0.1:1/' })).status).toBe(403);

    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeUndefined();
    const audited = (await readFile(auditLog, 'utf8')).trim().split('\n').map((text) => JSON.parse(text) as unknown);
    expect(audited).toEqual([expect.objectContaining({ method: 'GET', host: '127.0.0.1', port: 1, decision: 'deny', status: 403 })]);
  });

  it('reads the config path from EGRESS_CONFIG and exits 0 on SIGINT', async () => {
    const configPath = await writeConfig({
      listen: { host: '127.0.0.1', port: 0 },
      allow: [],
      auditLog: join(await tempDir(), 'egress.jsonl'),
    });
    const child = startMain([], { EGRESS_CONFIG: configPath });
    const line = await listeningLine(child);
    expect(line).not.toContain('TLS health');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });

  it('exits 2 naming the bad field, without a stack trace', async () => {
    const configPath = await writeConfig({ listen: { host: '127.0.0.1', port: 'x' }, allow: [], auditLog: '/tmp/x.jsonl' });
    const result = await startMain([configPath]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Invalid egress config ${configPath}:`);
    expect(result.stderr).toContain('`listen.port`: expected an integer from 0 to 65535, got "x" (string).');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 with usage when no config is given', async () => {
    const result = await startMain([], { EGRESS_CONFIG: '' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no config file given');
    expect(result.stderr).toContain('EGRESS_CONFIG');
  });

  it('reports an uncaught exception and an unhandled rejection on one line each, and keeps serving', async () => {
    const configPath = await writeConfig({ listen: { host: '127.0.0.1', port: 0 }, allow: [], auditLog: join(await tempDir(), 'egress.jsonl') });
    const child = startMain([configPath], {}, [FAIL_ON_SIGNAL]);
    const nextLine = stderrLines(child);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await nextLine('listening on'))?.[1]);
    child.kill('SIGUSR2');
    const reports = [await nextLine('still serving'), await nextLine('still serving')].sort();
    expect(reports).toEqual([
      expect.stringMatching(/^bot-bottle egress: uncaught exception, still serving: Error: fixture: an exception nobody catches \(at .*fail-on-signal\.ts:\d+:\d+\)?\)$/),
      expect.stringMatching(/^bot-bottle egress: unhandled rejection, still serving: Error: fixture: a rejection nobody handles \(at .*fail-on-signal\.ts:\d+:\d+\)?\)$/),
    ]);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });
});
