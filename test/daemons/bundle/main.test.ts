/**
 * The bundle's entry point as a real child process, run the way the bundle
 * runs it (from TypeScript here, through tsx): a line per daemon on stderr,
 * the health endpoints, the ready file, a clean exit on SIGTERM and SIGINT,
 * exit 2 on a bad config (the bundle's or a daemon's), and surviving an error
 * no code handled.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { ResultPromise } from 'execa';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpsGet } from '../egress/https-get.js';
import { makeCert } from '../egress/make-cert.js';
import { viaProxy } from '../egress/proxy-clients.js';
import { tempDir } from '../../state/temp-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'daemons/bundle/main.ts';
const FAIL_ON_SIGNAL = './test/daemons/bundle/fixtures/fail-on-signal.ts';

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

/** The egress config as a file, and a bundle config that runs it; returns the bundle config's path. */
async function writeConfig(egress: object, bundle: object = {}): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'egress.json'), JSON.stringify(egress));
  const path = join(dir, 'bundle.json');
  await writeFile(path, JSON.stringify({ egress: join(dir, 'egress.json'), ...bundle }));
  return path;
}

describe('the bundle main', () => {
  it('listens, says it is ready, answers /health on both ports, audits, and exits 0 on SIGTERM', async () => {
    const cert = await makeCert();
    const auditLog = join(await tempDir(), 'var', 'log', 'egress.jsonl');
    const readyFile = join(await tempDir(), 'ready.json');
    const configPath = await writeConfig(
      {
        listen: { host: '127.0.0.1', port: 0 },
        allow: [{ host: '*.example.com', port: null }],
        auditLog,
        tls: { port: 0, cert: cert.certPath, key: cert.keyPath },
      },
      { readyFile },
    );
    const child = startMain([configPath]);
    const line = await listeningLine(child);
    const match = /^bot-bottle bundle: egress: listening on 127\.0\.0\.1:(\d+), TLS health on 127\.0\.0\.1:(\d+); 1 allow rule\(s\), 0 inspected; audit log (.+)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [proxyPort, tlsPort] = [Number(match?.[1]), Number(match?.[2])];
    expect(match?.[3]).toBe(auditLog);
    expect(JSON.parse(await readFile(readyFile, 'utf8'))).toEqual({ status: 'ok', pid: child.pid, daemons: { egress: { host: '127.0.0.1', port: proxyPort } } });

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

  it('reads the config path from BUNDLE_CONFIG and exits 0 on SIGINT', async () => {
    const configPath = await writeConfig({
      listen: { host: '127.0.0.1', port: 0 },
      allow: [],
      auditLog: join(await tempDir(), 'egress.jsonl'),
    });
    const child = startMain([], { BUNDLE_CONFIG: configPath });
    const line = await listeningLine(child);
    expect(line).not.toContain('TLS health');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  });

  it('exits 2 naming the bad field of a daemon\'s config, without a stack trace, and says it is not ready', async () => {
    const readyFile = join(await tempDir(), 'ready.json');
    const configPath = await writeConfig({ listen: { host: '127.0.0.1', port: 'x' }, allow: [], auditLog: '/tmp/x.jsonl' }, { readyFile });
    const result = await startMain([configPath]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Invalid egress config ${join(configPath, '..', 'egress.json')}:`);
    expect(existsSync(readyFile)).toBe(false);
    expect(result.stderr).toContain('`listen.port`: expected an integer from 0 to 65535, got "x" (string).');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 naming the bad field of its own config', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bundle.json');
    await writeFile(path, JSON.stringify({ egres: '/etc/x.json' }));
    const result = await startMain([path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Invalid bundle config ${path}:`);
    expect(result.stderr).toContain('`egres`: unknown field; valid fields are egress');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 with usage when no config is given', async () => {
    const result = await startMain([], { BUNDLE_CONFIG: '' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no config file given');
    expect(result.stderr).toContain('BUNDLE_CONFIG');
  });

  it('reports an uncaught exception and an unhandled rejection on one line each, and keeps serving', async () => {
    const configPath = await writeConfig({ listen: { host: '127.0.0.1', port: 0 }, allow: [], auditLog: join(await tempDir(), 'egress.jsonl') });
    const child = startMain([configPath], {}, [FAIL_ON_SIGNAL]);
    const nextLine = stderrLines(child);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await nextLine('listening on'))?.[1]);
    child.kill('SIGUSR2');
    const reports = [await nextLine('still serving'), await nextLine('still serving')].sort();
    expect(reports).toEqual([
      expect.stringMatching(/^bot-bottle bundle: uncaught exception, still serving: Error: fixture: an exception nobody catches \(at .*fail-on-signal\.ts:\d+:\d+\)?\)$/),
      expect.stringMatching(/^bot-bottle bundle: unhandled rejection, still serving: Error: fixture: a rejection nobody handles \(at .*fail-on-signal\.ts:\d+:\d+\)?\)$/),
    ]);
    expect((await viaProxy(port, { url: '/health' })).status).toBe(200);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });
});
