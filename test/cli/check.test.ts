/**
 * `bottle check`, against the real dockerd here, with no traffic off this
 * machine (BOTTLE_BASE_IMAGE names the local debootstrap base in the CLI
 * runs, so no registry is asked; the base-image branches use names of the
 * test's own and registries on 127.0.0.1):
 *
 * - here: every item is reported, the engine's version and platform as
 *   `docker version` says, exit 0 exactly when no item is a problem;
 * - a dead socket (DOCKER_HOST), nothing on a TCP port, or an engine that
 *   never answers: the engine is the problem, with the fix; the items that
 *   need it are skipped; exit 1 within the engine timeout;
 * - the base image: present, pullable, made before, debootstrap there (or
 *   not installed, or not root), BOTTLE_BASE_IMAGE neither present nor
 *   pullable.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { CHECK_NAMES, runChecks, type CheckItem, type CheckOptions } from '../../lib/check/checks.js';
import { BUILT_BASE, type BaseChoice } from '../../lib/images/base-image.js';
import { enginePlatform } from '../../lib/images/platform.js';
import { dockerOut } from '../helpers/docker.js';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';
import { serveImage, silentRegistry, type LocalRegistry } from '../helpers/local-registry.js';
import { closedPort } from '../helpers/closed-port.js';

const id = randomBytes(4).toString('hex');
const PRESENT = `bottle-test-check-${id}/registry:bookworm-slim`;
const BUILT = `bottle-test-check-${id}/built:bookworm`;
const ABSENT = `bottle-test-check-${id}/absent:none`;
const REPO = `bottle-test-check-${id}/debian`;
const tags: string[] = [];
const registries: LocalRegistry[] = [];
/** A PATH with debootstrap on it (it is installed here: /usr/sbin). */
const PATH_WITH_DEBOOTSTRAP = `${process.env.PATH}:/usr/sbin`;

beforeAll(async () => {
  for (const tag of [PRESENT, BUILT]) {
    const r = await dockerOut(['tag', BUILT_BASE, tag]);
    if (r.exitCode !== 0) throw new Error(`${BUILT_BASE} is needed on the local engine (bottle up builds it): ${r.stderr}`);
    tags.push(tag);
  }
});

afterAll(async () => {
  for (const registry of registries) await registry.close();
  if (tags.length > 0) await dockerOut(['image', 'rm', ...tags]);
});

let c: InProcessCli;
beforeEach(async () => {
  c = await inProcessCli();
});
afterEach(() => c.cleanup());

/** `bottle check` in-process (cli/main), with `env` over this process's and the temp dir's state root. */
async function checkWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; ms: number }> {
  c.out = '';
  c.err = '';
  const started = Date.now();
  const code = await main(['check', ...args], {
    env: { ...process.env, BOTTLE_STATE_DIR: join(c.dir, 'state'), ...env },
    cwd: c.dir,
    stdout: (t) => void (c.out += t),
    stderr: (t) => void (c.err += t),
    signal: new AbortController().signal,
    isTTY: false,
  });
  return { code, ms: Date.now() - started };
}

function item(checks: CheckItem[], name: CheckItem['name']): CheckItem {
  return checks.find((x) => x.name === name)!;
}

describe('bottle check here', () => {
  it('reports every item, the engine as docker version says, and exits 0 exactly when none is a problem', async () => {
    const { code } = await checkWith({ BOTTLE_BASE_IMAGE: BUILT_BASE }, '--json');
    expect(c.err).toBe('');
    const out = JSON.parse(c.out) as { v: number; ok: boolean; checks: CheckItem[] };
    expect(out.v).toBe(1);
    expect(out.checks.map((x) => x.name)).toEqual([...CHECK_NAMES]);
    const said = (await dockerOut(['version', '--format', '{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}'])).stdout.trim().split(' ');
    expect(item(out.checks, 'engine')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`Docker Engine ${said[0]} at `) });
    expect(item(out.checks, 'platform')).toMatchObject({ status: 'ok', detail: expect.stringMatching(new RegExp(`^${said[1]}: `)) });
    expect(item(out.checks, 'disk').detail).toMatch(/^\d+\.\d GiB free on \/\S+ \(the engine's data root\)/);
    expect(item(out.checks, 'base-image')).toEqual({ name: 'base-image', status: 'ok', detail: `${BUILT_BASE} (BOTTLE_BASE_IMAGE), present on the engine` });
    expect(item(out.checks, 'node')).toMatchObject({ status: 'ok', detail: `v${process.versions.node} (bottle needs 20.19 or later)` });
    expect(item(out.checks, 'npm').status).toBe('ok');
    for (const x of out.checks) expect(x.status === 'problem').toBe(x.fix !== undefined);
    expect(out.ok).toBe(out.checks.every((x) => x.status !== 'problem'));
    expect(code).toBe(out.ok ? 0 : 1);
  });

  it('says it in lines: status, item, what was found', async () => {
    const { code } = await checkWith({ BOTTLE_BASE_IMAGE: BUILT_BASE });
    const lines = c.out.trimEnd().split('\n');
    for (const name of CHECK_NAMES) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^(ok|problem|skipped) +${name} +\\S`)));
    expect(lines.at(-1)).toBe(code === 0 ? 'all fine: `bottle up` can run here' : expect.stringMatching(/^\d+ problem\(s\): /));
  });
});

describe('bottle check without an engine', () => {
  it('a dead socket: the engine is the problem, with the fix; exit 1 at once', async () => {
    const { code, ms } = await checkWith({ DOCKER_HOST: `unix://${c.dir}/dead.sock` }, '--json');
    expect(code).toBe(1);
    const out = JSON.parse(c.out) as { ok: boolean; checks: CheckItem[] };
    expect(out.ok).toBe(false);
    expect(item(out.checks, 'engine')).toEqual({
      name: 'engine',
      status: 'problem',
      detail: `cannot reach the Docker Engine at ${c.dir}/dead.sock (DOCKER_HOST): ENOENT (no socket there)`,
      fix: 'start Docker (Linux: `sudo systemctl start docker`; macOS: Docker Desktop, `colima start` or OrbStack), or correct DOCKER_HOST (or unset it for the local socket)',
    });
    expect(item(out.checks, 'platform').status).toBe('skipped');
    expect(item(out.checks, 'base-image').status).toBe('skipped');
    // What needs no engine is still told: the disk of the state dir, Node.
    expect(item(out.checks, 'disk').detail).toBe(`${item(out.checks, 'disk').detail.split(' ')[0]} GiB free on ${c.dir} (the state dir's filesystem)`);
    expect(item(out.checks, 'node').status).toBe('ok');
    expect(ms).toBeLessThan(3_000);
  });

  it('the text says the problem and its fix', async () => {
    const { code } = await checkWith({ DOCKER_HOST: `tcp://127.0.0.1:${await closedPort()}` });
    expect(code).toBe(1);
    expect(c.out).toMatch(/^problem +engine +cannot reach the Docker Engine at 127\.0\.0\.1:\d+ \(DOCKER_HOST\): ECONNREFUSED \(nothing listens there\)\n +fix: start Docker/m);
    expect(c.out.trimEnd().split('\n').at(-1)).toBe('1 problem(s): engine');
  });

  it('an engine that never answers: the problem after the engine timeout, not later', async () => {
    const silent = await silentRegistry();
    registries.push(silent);
    const started = Date.now();
    const checks = await runChecks({ env: { ...process.env, DOCKER_HOST: `tcp://${silent.host}` }, stateRoot: c.dir, engineTimeoutMs: 1_000 });
    expect(item(checks, 'engine')).toMatchObject({ status: 'problem', detail: `no answer from the Docker Engine at ${silent.host} (DOCKER_HOST) within 1 s` });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('the base-image item', () => {
  const closed = async () => `127.0.0.1:${await closedPort()}/${REPO}:bookworm-slim`;
  async function baseItem(choice: BaseChoice, env: NodeJS.ProcessEnv = {}, more: Partial<CheckOptions> = {}): Promise<CheckItem> {
    const { BOTTLE_BASE_IMAGE: _, ...own } = process.env;
    const checks = await runChecks({ env: { ...own, ...env }, stateRoot: c.dir, baseChoice: choice, pullableTimeoutMs: 2_000, ...more });
    return item(checks, 'base-image');
  }

  it('present on the engine', async () => {
    expect(await baseItem({ registry: PRESENT, built: ABSENT, pullAnswerMs: 1 })).toEqual({ name: 'base-image', status: 'ok', detail: `${PRESENT}, present on the engine` });
  });

  it('pullable: its registry (on 127.0.0.1) has it; nothing is pulled', async () => {
    const registry = await serveImage(REPO, 'bookworm-slim', await enginePlatform());
    registries.push(registry);
    const image = `${registry.host}/${REPO}:bookworm-slim`;
    expect(await baseItem({ registry: image, built: ABSENT, pullAnswerMs: 1 })).toEqual({ name: 'base-image', status: 'ok', detail: `${image} can be pulled (\`bottle up\` pulls it)` });
    // The engine reads the image's config (its platform), never its layer.
    expect(registry.requests.filter((r) => r.includes('/blobs/')).length).toBeLessThanOrEqual(1);
    expect((await dockerOut(['image', 'inspect', image])).exitCode).not.toBe(0);
  });

  it('not pullable: the debootstrap image made before', async () => {
    const got = await baseItem({ registry: await closed(), built: BUILT, pullAnswerMs: 1 });
    expect(got).toMatchObject({ status: 'ok', detail: expect.stringMatching(new RegExp(`cannot be pulled \\(.*connection refused\\); ${BUILT}, made by debootstrap before, is used$`)) });
  });

  it('not pullable, none made: debootstrap will make it, or the fix when it cannot', async () => {
    const registry = await closed();
    const choice = { registry, built: ABSENT, pullAnswerMs: 1 };
    const mirror = { BOTTLE_DEBIAN_MIRROR: 'http://mirror.invalid/debian' };
    expect(await baseItem(choice, { PATH: PATH_WITH_DEBOOTSTRAP, ...mirror }, { isRoot: true })).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(new RegExp(`; \`bottle up\` makes ${ABSENT} with /\\S*debootstrap from http://mirror.invalid/debian \\(a few minutes, once\\)$`)),
    });
    expect(await baseItem(choice, { PATH: '/nonexistent', ...mirror }, { isRoot: true })).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('and debootstrap is not installed'),
      fix: expect.stringMatching(/^install debootstrap \(`sudo apt-get install debootstrap`\), or make .* pullable .*, or set BOTTLE_BASE_IMAGE/),
    });
    expect(await baseItem(choice, { PATH: PATH_WITH_DEBOOTSTRAP, ...mirror }, { isRoot: false })).toMatchObject({
      status: 'problem',
      detail: expect.stringContaining('needs root'),
      fix: expect.stringMatching(/^run the first `bottle up` as root/),
    });
  });

  it('BOTTLE_BASE_IMAGE neither present nor pullable: a problem naming it', async () => {
    const wanted = await closed();
    expect(await baseItem({ registry: PRESENT, built: BUILT, pullAnswerMs: 1 }, { BOTTLE_BASE_IMAGE: wanted })).toMatchObject({
      status: 'problem',
      detail: expect.stringMatching(new RegExp(`^${wanted.replace(/[.]/g, '\\.')} \\(BOTTLE_BASE_IMAGE\\) is not on the engine and cannot be pulled: .*connection refused`)),
      fix: expect.stringContaining('correct BOTTLE_BASE_IMAGE'),
    });
  });
});
