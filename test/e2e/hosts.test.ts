/**
 * NEEDS ROOT (test engines in network namespaces: test/helpers/engine-in-netns.ts).
 * `bottle hosts --json`, the real CLI, over three engines: the local one, one
 * over TLS with client certificates (its files copied next to the manifest)
 * and one over plain TCP the manifest calls insecure. Then one host's link is
 * cut: it is reported unreachable, with why, within the probe's timeout, and
 * the exit code is 1.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_TIMEOUT_MS } from '../../lib/hosts/ask-host.js';
import { bottle } from '../helpers/cli.js';
import { startTlsAndPlainEngines, type TestEngine } from '../helpers/engine-in-netns.js';

let tlsEngine: TestEngine;
let plainEngine: TestEngine;
const started: TestEngine[] = [];
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [tlsEngine, plainEngine] = await startTlsAndPlainEngines(started);
  dir = await mkdtemp(join(tmpdir(), 'bottle-hosts-'));
  await mkdir(join(dir, 'certs'));
  for (const part of ['ca', 'cert', 'key'] as const) await copyFile(tlsEngine.tls![part], join(dir, 'certs', `${part}.pem`));
  await writeFile(
    join(dir, 'bottle.yaml'),
    [
      'hosts:',
      '  local: { bottles: 20 }',
      `  secure: { docker: "${tlsEngine.tcpUrl}", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }, bottles: 40 }`,
      `  plain: { docker: "${plainEngine.tcpUrl}", insecure: true }`,
      'bottles: { dev: {} }',
      'agents: { demo: { bottle: dev } }',
      '',
    ].join('\n'),
  );
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(dir, 'state') };
}, 120_000);

afterAll(async () => {
  const results = await Promise.allSettled(started.map((e) => e.stop()));
  if (dir) await rm(dir, { recursive: true, force: true });
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 60_000);

interface HostJson {
  name: string;
  endpoint: string;
  reachable: boolean;
  error?: string;
  version?: string;
  cpus?: number;
  memoryBytes?: number;
  bottles: number;
  budget?: number;
}

async function hosts(): Promise<{ exitCode: number; hosts: HostJson[]; stderr: string; ms: number }> {
  const t0 = performance.now();
  const r = await bottle(['hosts', '--json'], env, dir);
  const ms = performance.now() - t0;
  const out = JSON.parse(r.stdout) as { v: number; hosts: HostJson[] };
  expect(out.v).toBe(1);
  return { exitCode: r.exitCode, hosts: out.hosts, stderr: r.stderr, ms };
}

describe('bottle hosts', () => {
  it('finds the local engine, the TLS one and the plain one reachable, with their versions and resources', async () => {
    const r = await hosts();
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.hosts.map((h) => h.name)).toEqual(['local', 'secure', 'plain']);
    for (const h of r.hosts) {
      expect(h).toMatchObject({ reachable: true, bottles: 0 });
      expect(h.version).toMatch(/^\d+\.\d+/);
      expect(h.cpus).toBeGreaterThan(0);
      expect(h.memoryBytes).toBeGreaterThan(0);
      expect(h.error).toBeUndefined();
    }
    const [local, secure, plain] = r.hosts as [HostJson, HostJson, HostJson];
    expect(local.budget).toBe(20);
    expect(secure).toMatchObject({ endpoint: `${tlsEngine.tcpUrl}`, budget: 40 });
    expect(plain.endpoint).toBe(plainEngine.tcpUrl);
    expect(plain.budget).toBeUndefined();
    // No secret in what it prints: not the key's PEM, nor its path.
    expect(JSON.stringify(r.hosts)).not.toMatch(/PRIVATE KEY|key\.pem/);
  });

  it('reports a host whose link is cut unreachable, with the error, within the timeout, and exits 1', async () => {
    await plainEngine.cutLink();
    const r = await hosts();
    expect(r.exitCode).toBe(1);
    const plain = r.hosts.find((h) => h.name === 'plain')!;
    expect(plain).toMatchObject({ reachable: false, bottles: 0 });
    expect(plain.error).toMatch(new RegExp(`^no answer from ${plainEngine.ip}:2375 \\(hosts\\.plain\\) within ${HOST_TIMEOUT_MS / 1000} s$|${plainEngine.ip}`));
    expect(plain.error).not.toContain('\n');
    expect(plain.version).toBeUndefined();
    expect(r.hosts.filter((h) => h.name !== 'plain').every((h) => h.reachable)).toBe(true);
    // The hosts are asked at once, each bounded: the whole run within one timeout and the CLI's start.
    expect(r.ms).toBeLessThan(HOST_TIMEOUT_MS + 4000);
  }, 30_000);
});
