/**
 * Package caches on a real dockerd: two bottles of one manifest with
 * `caches: [npm]` share one named volume at ~/.npm, owned by the agent's
 * user; the second bottle's `npm install` of a package from a registry of the
 * test's own (test/e2e/fixtures/tiny-registry.cjs, through each bottle's
 * proxy) comes from the cache: the registry sees no second request.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottle, REPO } from '../helpers/cli.js';
import { dockerOut, guest } from '../helpers/docker.js';

const REGISTRY = 'registry.bottle-test';
let work: string;
let env: Record<string, string>;
let plans: { agent: string; machine: string; bundle: string }[] = [];
const net = `bottle-test-caches-${process.pid}`;
const server = `${net}-registry`;

const manifest = `
bottles:
  dev:
    backend: docker
    caches: [npm]
    egress:
      # The registry sits on a Docker network of the test, at a private address: named here, or the proxy refuses it.
      allow: ["${REGISTRY}:80", "172.16.0.0/12:80", "192.168.0.0/16:80"]
agents:
  a: { bottle: dev }
  b: { bottle: dev }
`;

const requests = async (): Promise<{ method: string; url: string }[]> =>
  (await readFile(join(work, 'log', 'requests.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** The agent image has Node but no npm: the host's npm is copied in (test/e2e only), run with the guest's Node. */
const NPM = '/tmp/npm/bin/npm-cli.js';
const install = (machine: string, ...flags: string[]) =>
  guest(machine, ['sh', '-c', `mkdir -p /tmp/p && cd /tmp/p && node ${NPM} init -y >/dev/null && node ${NPM} install --no-audit --no-fund --registry http://${REGISTRY}/ ${flags.join(' ')} tiny-pkg && cat node_modules/tiny-pkg/index.js`]);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bottle-caches-'));
  const pkg = join(work, 'pkg');
  await mkdir(pkg);
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'tiny-pkg', version: '1.0.0', main: 'index.js' }));
  await writeFile(join(pkg, 'index.js'), 'module.exports = "tiny";\n');
  await mkdir(join(work, 'registry'));
  await execa('npm', ['pack', pkg, '--pack-destination', join(work, 'registry')], { cwd: work });
  await mkdir(join(work, 'log'));
  await chmod(join(work, 'log'), 0o777);
  await writeFile(join(work, 'bottle.yaml'), manifest);
  env = { ...(process.env as Record<string, string>), BOTTLE_STATE_DIR: join(work, 'state') };
  const up = await bottle(['up', '-f', join(work, 'bottle.yaml'), '--progress', 'json'], env);
  expect(up.exitCode, up.stderr + JSON.stringify(up.events.filter((e) => e.status === 'failed'))).toBe(0);
  for (const agent of ['a', 'b']) {
    const slug = up.events[0]!.bottles.find((s: string) => s.startsWith(`${agent}-`));
    plans.push(JSON.parse(await readFile(join(work, 'state', slug, 'plan.json'), 'utf8')));
  }
  const image = JSON.parse(await readFile(join(work, 'state', '_run', 'record.json'), 'utf8')).tasks['bundle-image'].output.image;
  expect((await dockerOut(['network', 'create', '--label', 'bot-bottle.test=1', net])).exitCode).toBe(0);
  for (const p of plans) expect((await dockerOut(['network', 'connect', net, p.bundle])).exitCode).toBe(0);
  const run = await dockerOut([
    'run', '-d', '--name', server, '--label', 'bot-bottle.test=1', '--network', net, '--network-alias', REGISTRY,
    '--mount', `type=bind,source=${join(work, 'registry')},target=/registry,readonly`,
    '--mount', `type=bind,source=${join(REPO, 'test', 'e2e', 'fixtures', 'tiny-registry.cjs')},target=/registry.cjs,readonly`,
    '--mount', `type=bind,source=${join(work, 'log')},target=/log`,
    image, 'node', '/registry.cjs', REGISTRY,
  ]);
  expect(run.exitCode, run.stderr).toBe(0);
  const hostNpm = join((await execa('npm', ['root', '-g'])).stdout.trim(), 'npm');
  for (const p of plans) expect((await dockerOut(['cp', hostNpm, `${p.machine}:/tmp/npm`])).exitCode).toBe(0);
}, 900_000);

afterAll(async () => {
  await dockerOut(['rm', '-f', server]);
  for (const p of plans) await dockerOut(['network', 'disconnect', '--force', net, p.bundle]);
  await dockerOut(['network', 'rm', net]);
  if (!work) return;
  await bottle(['down', '-f', join(work, 'bottle.yaml'), '--purge'], env);
  await rm(work, { recursive: true, force: true });
}, 300_000);

describe('caches: [npm]', () => {
  it('gives the bottles of a manifest one npm volume at ~/.npm, the agent user\'s', async () => {
    const volumes = (await dockerOut(['volume', 'ls', '-q', '--filter', `label=bot-bottle.state-root=${join(work, 'state')}`, '--filter', 'label=bot-bottle.cache=npm'])).stdout.split('\n').filter(Boolean);
    expect(volumes).toHaveLength(1);
    for (const p of plans) {
      const mounts = JSON.parse((await dockerOut(['inspect', '--format', '{{json .Mounts}}', p.machine])).stdout);
      expect(mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Name: volumes[0], Destination: '/home/node/.npm', RW: true }));
      expect(mounts.filter((m: { Type: string }) => m.Type === 'bind')).toEqual([]);
      expect((await guest(p.machine, ['stat', '-c', '%U', '/home/node/.npm'])).stdout).toBe('node');
    }
  });

  it("serves the second bottle's install from the cache: no second request reaches the registry", async () => {
    const [a, b] = plans;
    const first = await install(a!.machine);
    expect(first.stdout, first.stderr).toContain('module.exports = "tiny"');
    const afterFirst = await requests();
    expect(afterFirst.filter((r) => r.url.endsWith('.tgz'))).toHaveLength(1);

    const second = await install(b!.machine, '--prefer-offline');
    expect(second.stdout, second.stderr).toContain('module.exports = "tiny"');
    expect(await requests()).toEqual(afterFirst);
  });

  it('keeps the volume over a down, and removes it with down --purge of the whole manifest', async () => {
    const volumes = () => dockerOut(['volume', 'ls', '-q', '--filter', `label=bot-bottle.state-root=${join(work, 'state')}`]).then((r) => r.stdout.split('\n').filter(Boolean));
    const [volume] = await volumes();
    for (const p of plans) await dockerOut(['network', 'disconnect', '--force', net, p.bundle]);
    expect((await bottle(['down', '-f', join(work, 'bottle.yaml')], env)).exitCode).toBe(0);
    expect(await volumes()).toEqual([volume]);
    const purged = await bottle(['down', '--purge', '-f', join(work, 'bottle.yaml')], env);
    expect(purged.exitCode, purged.stderr).toBe(0);
    expect(purged.stderr).toContain(`removed the cache volume(s) ${volume}`);
    expect(await volumes()).toEqual([]);
  });
});
