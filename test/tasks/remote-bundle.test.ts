/**
 * NEEDS ROOT (a test engine in a network namespace: test/helpers/engine-in-netns.ts).
 * A bottle's bundle on a Docker Engine reached over tcp:// with TLS, which
 * does not share this host's paths: the process's engine, as DOCKER_HOST
 * makes it for `bottle`. The daemons task (driven through the up graph on a
 * BottleCtx, as test/tasks/smolvm-bottle.ts does) makes the bundle with four
 * volumes instead of bind mounts, seeded from the host, and it becomes
 * ready; then the real CLI commands, in-process, sync both ways: `bottle
 * allow` reaches the proxy, `bottle logs` reads what it decided, `bottle git
 * fetch` brings a push through the gate home, `bottle inbox`/`answer` carry
 * a question out and its answer in, the daemons task sees a bundle whose
 * policy is not the host's and pushes it again, and `bottle down` brings
 * the rest home before it removes the bundle and its volumes. A bundle on
 * this host's engine (a unix socket) still mounts the host's directories.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';
import { downGraph } from '../../graphs/down.js';
import { upGraph } from '../../graphs/up.js';
import { createDockerBackend } from '../../lib/backends/docker/index.js';
import { sameOnEveryEngine } from '../../lib/backends/registry.js';
import type { Backend } from '../../lib/backends/types.js';
import { withEngine } from '../../lib/docker/client.js';
import { localSocket } from '../../lib/docker/endpoint.js';
import { memoryRecorder, runGraph, type NodeResult } from '../../lib/engine/index.js';
import { builtImages, type Images } from '../../lib/images/images.js';
import { cacheDir } from '../../lib/images/paths.js';
import { parseManifest } from '../../lib/manifest/parse.js';
import { buildPlans, instancesOf } from '../../lib/plan/build-plan.js';
import { BUNDLE_PATHS } from '../../lib/provision/bundle-configs.js';
import { bundleReady, bundleUser } from '../../lib/provision/bundle-sync.js';
import { bottleFiles } from '../../lib/state/layout.js';
import { daemons, type DaemonsOutput } from '../../tasks/daemons.js';
import { oncePerRun, type BottleCtx } from '../../tasks/context.js';
import { copyImage } from '../helpers/copy-image.js';
import { REPO } from '../helpers/cli.js';
import { startEngineInNetns, type TestEngine } from '../helpers/engine-in-netns.js';

const LATER = 'later.bottle-test';
const local = new Docker({ socketPath: localSocket().socketPath! });
let engine: TestEngine | undefined;
let work: string;
let savedEnv: NodeJS.ProcessEnv;
/** The bottle on the test engine, and one on this host's engine. */
let remote: BottleCtx;
let near: BottleCtx;

const manifestFile = () => join(work, 'bottle.yaml');
const hostGit = (...args: string[]) => execa('git', ['-C', join(work, 'repo'), ...args], { env: { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'Host', GIT_AUTHOR_EMAIL: 'h@x', GIT_COMMITTER_NAME: 'Host', GIT_COMMITTER_EMAIL: 'h@x' } });

/** `bottle <args> -f <manifest>` in-process, on the process's engine (the test engine); its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const exitCode = await main([...args, '-f', manifestFile(), '--state-dir', join(work, 'state')], {
    env: process.env,
    cwd: work,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    signal: new AbortController().signal,
    isTTY: false,
  });
  return { exitCode, stdout, stderr };
}

const backendOf = (ctx: BottleCtx) => ctx.backend(ctx.plan.backend);
const recorders = new Map<string, ReturnType<typeof memoryRecorder>>();
const recorderOf = (ctx: BottleCtx) => recorders.get(ctx.plan.slug) ?? recorders.set(ctx.plan.slug, memoryRecorder()).get(ctx.plan.slug)!;

/** The daemons task with what it needs, through the up graph, against the bottle's one record. */
async function runDaemons(ctx: BottleCtx): Promise<NodeResult> {
  const result = await runGraph(upGraph(), { items: [{ key: ctx.plan.slug, ctx }], shared: ctx, recorder: recorderOf(ctx), target: { item: ctx.plan.slug, task: 'daemons', withDeps: true } });
  return result.nodes.get(`${ctx.plan.slug}/daemons`)!;
}
/** A command in the remote bottle's bundle, as the bundle's user. */
const inBundle = (script: string) => backendOf(remote).exec(remote.plan.bundle, ['sh', '-c', script], { env: { HOME: '/tmp' } });
/** What the proxy answers the bundle's own request for `url` (its status, 403 when it refuses the host). */
const throughProxy = async (url: string) => (await inBundle(`curl -s -o /dev/null -w '%{http_code}' --max-time 20 -x http://127.0.0.1:3128 ${url}`)).stdout;

/** The images as built already: copied to the test engine, which has no way out to build them. */
function readyImages(base: string, bundle: string): Images {
  return { base: async () => base, ours: async () => bundle, exists: async () => true };
}

/** A BottleCtx per agent of the manifest, each on its own backend. */
async function bottles(images: Images, backends: Record<string, Backend>): Promise<BottleCtx[]> {
  const source = { path: manifestFile(), dir: work };
  const manifest = await parseManifest({ bottles: { dev: { backend: 'docker', git: { repo: './repo' } } }, agents: { demo: { bottle: 'dev' }, near: { bottle: 'dev' } } }, source);
  const inUse = (await backends.near!.subnetsInUse(new Set())).inUse;
  const planned = buildPlans({
    loaded: { ...source, manifest },
    agents: instancesOf(Object.keys(backends), undefined),
    stateRoot: join(work, 'state'),
    home: join(work, 'home'),
    env: process.env,
    subnetsInUse: () => inUse,
    previousSubnets: new Map(),
    defaultBackend: 'docker',
    backendFor: () => backends.near!,
  });
  return planned.map((p) => ({ stateRoot: join(work, 'state'), images, backend: sameOnEveryEngine(() => backends[p.plan.agent]!), once: oncePerRun(), ...p, credentialValues: [] }));
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error(`these tests need root (network namespaces, veth, dockerd); running as uid ${process.getuid?.()}`);
  savedEnv = { ...process.env };
  engine = await startEngineInNetns({ tls: true });
  work = await mkdtemp(join(tmpdir(), 'bottle-remote-bundle-'));
  // Built on this host's engine (whatever the process's is), then copied over.
  const images = builtImages(cacheDir(process.env));
  const { base, bundle } = await withEngine(localSocket(), async () => {
    const base = await images.base({});
    return { base, bundle: await images.ours('bundle', base, {}) };
  });
  await copyImage(local, engine.docker, bundle);
  await execa('git', ['init', '-q', '-b', 'main', join(work, 'repo')]);
  await writeFile(join(work, 'repo', 'README.md'), 'the host project\n');
  await hostGit('add', '.');
  await hostGit('commit', '-qm', 'host: first');
  await writeFile(manifestFile(), 'bottles:\n  dev: { backend: docker, git: { repo: ./repo } }\nagents:\n  demo: { bottle: dev }\n  near: { bottle: dev }\n');
  // From here on the process's engine is the test engine, as DOCKER_HOST makes it for `bottle`.
  Object.assign(process.env, engine.dockerEnv);
  [remote, near] = (await bottles(readyImages(base, bundle), { demo: createDockerBackend(), near: createDockerBackend(localSocket()) })) as [BottleCtx, BottleCtx];
}, 900_000);

afterAll(async () => {
  const down = async (ctx: BottleCtx | undefined) => {
    if (ctx) await runGraph(downGraph({ purge: true }), { items: [{ key: ctx.plan.slug, ctx }], shared: ctx, recorder: memoryRecorder() });
  };
  const results = await Promise.allSettled([down(near), down(remote)]);
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  results.push(...(await Promise.allSettled([engine?.stop(), work ? rm(work, { recursive: true, force: true }) : undefined])));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 300_000);

describe('sharesHostPaths', () => {
  it('is true for an engine on a unix socket, false for tcp:// and ssh://, and for the process engine DOCKER_HOST names', () => {
    expect(createDockerBackend(localSocket()).sharesHostPaths).toBe(true);
    expect(createDockerBackend({ source: 'test', protocol: 'ssh', host: 'far', port: '22', username: 'u' }).sharesHostPaths).toBe(false);
    expect(createDockerBackend({ source: 'test', protocol: 'https', host: 'far', port: '2376' }).sharesHostPaths).toBe(false);
    expect(backendOf(remote).sharesHostPaths).toBe(false);
    expect(backendOf(near).sharesHostPaths).toBe(true);
  });
});

describe('a bundle on a remote engine', () => {
  it('is made with four volumes of the bottle, not bind mounts, seeded from the host, and becomes ready', async () => {
    const node = await runDaemons(remote);
    expect(node.status, node.record.error?.message).toBe('done');
    const { plan } = remote;
    // Its ready file read from the bundle, not the health probe's fallback.
    expect(recorderOf(remote).logs.get(`${plan.slug}/daemons`)?.some((line) => line.startsWith('bundle ready: {'))).toBe(true);
    const mounts = (await engine!.docker.getContainer(plan.bundle).inspect()).Mounts;
    expect(mounts.map((m) => [m.Type, m.Name, m.Destination, m.RW]).sort()).toEqual(
      [
        ['volume', `${plan.bundle}-config`, BUNDLE_PATHS.config, true],
        ['volume', `${plan.bundle}-git`, BUNDLE_PATHS.git, true],
        ['volume', `${plan.bundle}-logs`, BUNDLE_PATHS.logs, true],
        ['volume', `${plan.bundle}-supervise`, BUNDLE_PATHS.supervise, true],
      ].sort(),
    );
    const volumes = (await engine!.docker.listVolumes({ filters: { label: [`bot-bottle.slug=${plan.slug}`] } })).Volumes ?? [];
    expect(volumes.map((v) => v.Name).sort()).toEqual(mounts.map((m) => m.Name).sort());
    // Ready by its own word, written in its volume; the host's directory has none of its own.
    expect(JSON.parse((await bundleReady(backendOf(remote), plan, {}))!)).toMatchObject({ status: 'ok' });
    // The config as the host wrote it (credentials.json its user's only), the gate repository as the host seeded it.
    const seen = await inBundle(`stat -c '%a %u:%g' ${BUNDLE_PATHS.config}/credentials.json && git --git-dir ${BUNDLE_PATHS.git}/${plan.gate.repo} rev-parse main`);
    expect(seen.stdout.split('\n')).toEqual([`600 ${bundleUser()}`, (await hostGit('rev-parse', 'main')).stdout]);
  }, 180_000);

  it('takes a live rule from `bottle allow` in its proxy, and `bottle logs` shows the decisions before and after', async () => {
    expect(await throughProxy(`http://${LATER}/`)).toBe('403');
    const allowed = await cli('allow', 'demo', LATER);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    // Allowed now: the proxy goes on to the host, which the test engine cannot reach.
    await vi.waitFor(async () => expect(await throughProxy(`http://${LATER}/`)).not.toBe('403'), { timeout: 30_000, interval: 500 });
    const logs = await cli('logs', 'demo', '--json');
    expect(logs.exitCode, logs.stderr).toBe(0);
    const entries = logs.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.host === LATER);
    // Refused until the proxy reloaded its policy, let through after.
    const decisions = entries.map((e) => e.decision).join(' ');
    expect(decisions).toMatch(/^(deny )+allow$/);
    expect(await readFile(bottleFiles(remote.plan.stateDir).auditLog, 'utf8')).toContain(LATER);
  }, 120_000);

  it('has its policy compared as the bundle holds it: one changed there is pushed again by the daemons task', async () => {
    expect(['done', 'up-to-date']).toContain((await runDaemons(remote)).status);
    const output = (await recorderOf(remote).load(remote.plan.slug))?.tasks.daemons?.output as DaemonsOutput;
    const signal = new AbortController().signal;
    // `up` without --keep-live-rules went back to the manifest: the host's policy and the bundle's agree.
    expect(await daemons.isDone!(remote, output, signal)).toBe(true);
    expect((await inBundle(`echo '{}' > ${BUNDLE_PATHS.config}/egress-policy.json`)).exitCode).toBe(0);
    expect(await daemons.isDone!(remote, output, signal)).toBe(false);
    expect((await runDaemons(remote)).status).toBe('done');
    const policy = await inBundle(`cat ${BUNDLE_PATHS.config}/egress-policy.json`);
    expect(policy.stdout).toBe((await readFile(bottleFiles(remote.plan.stateDir).egressPolicy, 'utf8')).trim());
    expect(await daemons.isDone!(remote, output, signal)).toBe(true);
  }, 120_000);

  it('lets `bottle git fetch` bring home what was pushed through its gate, and `bottle logs` the gate\'s audit', async () => {
    const push = await inBundle(
      [
        'set -e; cd /tmp; rm -rf w',
        `git clone -q http://127.0.0.1:8418/${remote.plan.gate.repo} w; cd w`,
        'echo work > work.txt; git add work.txt; git -c user.name=agent -c user.email=a@x commit -qm "agent: work"',
        'git push -q origin HEAD:refs/heads/bottle/demo/x 2>&1; git rev-parse HEAD',
      ].join('\n'),
    );
    expect(push.exitCode, push.stderr + push.stdout).toBe(0);
    const tip = push.stdout.trim().split('\n').at(-1)!;
    const fetched = await cli('git', 'fetch', 'demo');
    expect(fetched.exitCode, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain(`demo: refs/heads/bottle/demo/x -> refs/remotes/bottle/demo/x (${tip.slice(0, 12)})`);
    expect((await hostGit('rev-parse', 'refs/remotes/bottle/demo/x')).stdout).toBe(tip);
    expect((await cli('logs', 'demo')).exitCode).toBe(0);
    const audit = (await readFile(bottleFiles(remote.plan.stateDir).gateAuditLog, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.filter((e) => e.kind === 'push').map((e) => e.decision)).toEqual(['accepted']);
  }, 120_000);

  it('carries a question asked in it to `bottle inbox`, and the answer from `bottle answer` back to the waiting call', async () => {
    const mcpCall = await readFile(join(REPO, 'test', 'e2e', 'fixtures', 'mcp-call.cjs'));
    // Through exec: Docker puts no archive in a read-only root's /tmp.
    expect((await backendOf(remote).exec(remote.plan.bundle, ['sh', '-c', 'cat > /tmp/mcp-call.cjs'], { input: mcpCall })).exitCode).toBe(0);
    const call = (tool: string, args: object) => backendOf(remote).exec(remote.plan.bundle, ['node', '/tmp/mcp-call.cjs', 'http://127.0.0.1:8765/mcp', tool, JSON.stringify(args)]);
    const inbox = async () => JSON.parse((await cli('inbox', '--json')).stdout).messages as Record<string, any>[];
    expect((await call('report_progress', { text: 'read the code' })).exitCode).toBe(0);
    const asking = call('ask_human', { question: 'Which database?' });
    let question: Record<string, any> | undefined;
    await vi.waitFor(async () => {
      question = (await inbox()).find((m) => m.kind === 'question');
      expect(question?.status).toBe('unanswered');
    }, { timeout: 20_000, interval: 500 });
    const answered = await cli('answer', 'demo', question!.id, 'postgres');
    expect(answered.exitCode, answered.stderr).toBe(0);
    const asked = await asking;
    expect(asked.exitCode, asked.stderr).toBe(0);
    expect(asked.stdout).toBe('postgres');
    expect((await inbox()).map((m) => [m.kind, m.text, m.status])).toEqual([
      ['progress', 'read the code', undefined],
      ['question', 'Which database?', 'answered'],
    ]);
    // Written there last, read by no command yet: `bottle down` brings it home.
    expect((await call('report_progress', { text: 'last words' })).exitCode).toBe(0);
  }, 120_000);

  it('is removed by `bottle down` with its volumes, once what it wrote is home', async () => {
    const { plan } = remote;
    const down = await cli('down', 'demo');
    expect(down.exitCode, down.stderr).toBe(0);
    await expect(engine!.docker.getContainer(plan.bundle).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await engine!.docker.listVolumes({ filters: { label: [`bot-bottle.slug=${plan.slug}`] } })).Volumes ?? []).toEqual([]);
    expect(await readFile(join(bottleFiles(plan.stateDir).superviseDir, 'messages.jsonl'), 'utf8')).toContain('last words');
  }, 120_000);
});

describe('a bundle on this host\'s engine', () => {
  it('mounts the host\'s directories, as before', async () => {
    const node = await runDaemons(near);
    expect(node.status, node.record.error?.message).toBe('done');
    const files = bottleFiles(near.plan.stateDir);
    const mounts = (await local.getContainer(near.plan.bundle).inspect()).Mounts;
    expect(mounts.map((m) => [m.Type, m.Source, m.Destination]).sort()).toEqual(
      [
        ['bind', files.bundleDir, BUNDLE_PATHS.config],
        ['bind', files.egressDir, BUNDLE_PATHS.logs],
        ['bind', files.gateDir, BUNDLE_PATHS.git],
        ['bind', files.superviseDir, BUNDLE_PATHS.supervise],
      ].sort(),
    );
    expect(JSON.parse(await readFile(files.ready, 'utf8'))).toMatchObject({ status: 'ok' });
  }, 180_000);
});
