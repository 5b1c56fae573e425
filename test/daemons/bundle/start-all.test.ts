/**
 * startAll with daemons that are real servers (the egress proxy) and ones
 * that fail on cue: the ready file appears whole once every daemon listens,
 * and not at all when one cannot start, which also stops those started.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkBundleConfig } from '../../../daemons/bundle/config.js';
import { DAEMONS } from '../../../daemons/bundle/daemons.js';
import { startAll } from '../../../daemons/bundle/start-all.js';
import { tempDir } from '../../state/temp-dir.js';
import { viaProxy } from '../egress/proxy-clients.js';

const quiet = { warn: () => {} };

async function egressConfig(dir: string, port = 0): Promise<string> {
  const path = join(dir, `egress-${port}.json`);
  await writeFile(path, JSON.stringify({ listen: { host: '127.0.0.1', port }, allow: [], auditLog: join(dir, `egress-${port}.jsonl`) }));
  return path;
}

describe('startAll', () => {
  it('writes the ready file, whole, once every daemon listens, with their addresses', async () => {
    const dir = await tempDir();
    const readyFile = join(dir, 'ready.json');
    const bundle = await startAll(checkBundleConfig({ egress: await egressConfig(dir), readyFile }), quiet);
    onTestFinished(() => bundle.close());
    const port = bundle.daemons[0]?.running.address.port;
    expect(JSON.parse(await readFile(readyFile, 'utf8'))).toEqual({ status: 'ok', pid: process.pid, daemons: { egress: { host: '127.0.0.1', port } } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await viaProxy(port ?? 0, { url: '/health' })).status).toBe(200);
  });

  it('runs egress and supervise side by side, each answering its own health check', async () => {
    const dir = await tempDir();
    const supervise = join(dir, 'supervise.json');
    await writeFile(supervise, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, dir: join(dir, 'messages'), askTimeoutMs: 60_000 }));
    const readyFile = join(dir, 'ready.json');
    const bundle = await startAll(checkBundleConfig({ egress: await egressConfig(dir), supervise, readyFile }), quiet);
    onTestFinished(() => bundle.close());
    expect(bundle.daemons.map((d) => d.name)).toEqual(['egress', 'supervise']);
    const ready = JSON.parse(await readFile(readyFile, 'utf8'));
    expect(Object.keys(ready.daemons)).toEqual(['egress', 'supervise']);
    const health = await fetch(`http://127.0.0.1:${ready.daemons.supervise.port}/health`);
    expect(await health.json()).toEqual({ status: 'ok', daemon: 'supervise' });
  });

  it('writes no ready file when a daemon cannot listen, and stops the ones it started', async () => {
    const dir = await tempDir();
    const readyFile = join(dir, 'ready.json');
    const taken = await startAll(checkBundleConfig({ egress: await egressConfig(dir) }), quiet);
    onTestFinished(() => taken.close());
    const busy = taken.daemons[0]?.running.address.port ?? 0;
    // Two egress daemons in a row stand in for any pair: the second's port is taken.
    let started = 0;
    let closedFirst = false;
    const start: typeof DAEMONS = {
      ...DAEMONS,
      egress: async (path, hooks) => {
        const running = await DAEMONS.egress(path, hooks);
        if (started++ > 0) return running;
        return { ...running, close: async () => ((closedFirst = true), running.close()) };
      },
    };
    const config = { daemons: [{ name: 'egress' as const, configPath: await egressConfig(dir) }, { name: 'egress' as const, configPath: await egressConfig(dir, busy) }], readyFile };
    await expect(startAll(config, quiet, start)).rejects.toThrow();
    expect(closedFirst).toBe(true);
    expect(existsSync(readyFile)).toBe(false);
  });

  it('refuses a bundle config that runs nothing or names a daemon it does not know', () => {
    expect(() => checkBundleConfig({})).toThrow(/no daemon to run/);
    expect(() => checkBundleConfig({ egress: '' })).toThrow(/`egress`: expected a non-empty string/);
    expect(() => checkBundleConfig({ proxy: '/x' })).toThrow(/`proxy`: unknown field/);
  });
});
