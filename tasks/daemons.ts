/**
 * daemons: starts the bundle (the sidecar on the bottle's network with the
 * only way out) and waits until each of its daemons is up: the egress proxy
 * (the bottle's allowlist, plus the bundle's own TLS probe, which listens on
 * the bundle's loopback only and which the proxy finds by a fixed name; the
 * ca task asks for it through the proxy), the git gate (serving the gate
 * repository) and supervise (the agent's MCP server; its messages in the
 * bottle's state dir). Their configs are lib/provision/bundle-configs.ts's.
 * The bundle is hardened: not root (on a rootless engine, the engine's root,
 * which is bottle's own user there and nothing more: its other ids cannot
 * open the user's directories), a read-only root filesystem, its logs, the
 * gate repository and the messages the only writable host paths, memory and
 * process limits. On an engine that cannot mount this host's paths, the
 * four directories are volumes kept in step with the host's
 * (lib/provision/bundle-sync.ts).
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { bottleFiles } from '../lib/state/layout.js';
import { bundleImage } from './bundle-image.js';
import { network } from './network.js';
import { gateRepo } from './gate-repo.js';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { bundleLiveFiles, bundleReady, bundleSeed, bundleUser, bundleVolumes, pushBundleConfig } from '../lib/provision/bundle-sync.js';
import { join } from 'node:path';
import { TaskError, type TaskIO, hash, stableStringify } from '../lib/engine/index.js';
import { issueServerCert } from '../lib/ca/openssl.js';
import { writeFileAtomic } from '../lib/state/atomic-write.js';
import { bundleOwner, handOver } from '../lib/state/bundle-owner.js';
import { ensureDir } from '../lib/state/root.js';
import { CA_PROBE_HOST, GIT_GATE_PORT, PROXY_PORT, SUPERVISE_PORT } from '../lib/plan/types.js';
import { BUNDLE_PATHS, bundleConfigs } from '../lib/provision/bundle-configs.js';
import { prepare } from './prepare.js';
import { egressFilesCurrent, writeEgressFiles } from '../lib/provision/egress-files.js';
import { describeLiveRules, isEmpty, NO_LIVE_RULES, readLiveRules, type LiveRules } from '../lib/policy/live-rules.js';
import type { BottlePlan } from '../lib/plan/types.js';
import type { ReadMachineFile } from '../lib/backends/types.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';

export interface DaemonsOutput {
  bundle: string;
  /** Changes when the bundle is recreated. */
  id: string;
  proxyUrl: string;
  /** Host path of the egress audit log (JSON lines). */
  auditLog: string;
}

// Node and, on a push or clone, git's pack work.
const BUNDLE_MEMORY_MIB = 512;
const BUNDLE_PIDS = 256;

export const daemons = bottleTask({
  id: 'daemons',
  title: 'Daemons',
  summary: "the bundle: egress proxy :3128, git gate :8418, supervise MCP :8765; waits for each one's health",
  needs: [network, bundleImage, prepare, gateRepo],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 120_000,
  fingerprint: (ctx) => ({ bundle: ctx.plan.bundle, ip: ctx.plan.bundleIp, config: bundleConfigs(ctx.plan) }),
  run: async (ctx, io): Promise<DaemonsOutput> => {
    const { plan } = ctx;
    const backend = backendOf(ctx);
    const prepared = io.needs.prepare;
    const files = bottleFiles(plan.stateDir);
    const configDir = files.bundleDir;
    const logDir = files.egressDir;
    await ensureDir(configDir);
    await ensureDir(logDir);
    const tlsDir = join(configDir, 'tls');
    // Issued once per CA: a new certificate each run would recreate the bundle each run.
    if (!existsSync(join(tlsDir, `ca-${prepared.caDigest}`))) {
      await issueServerCert({ cert: prepared.caCert, key: prepared.caKey }, tlsDir, [CA_PROBE_HOST, plan.bundle], op(io));
      await writeFileAtomic(join(tlsDir, `ca-${prepared.caDigest}`), '');
    }
    const config = bundleConfigs(plan);
    for (const [name, content] of Object.entries(config)) await writeFileAtomic(join(configDir, name), `${JSON.stringify(content, null, 2)}\n`, 0o644);
    const owner = bundleOwner();
    const ca = { cert: prepared.caCert, key: prepared.caKey, digest: prepared.caDigest };
    const live = await liveRulesOfRun(ctx, io);
    const { issued } = await writeEgressFiles({ plan, files, live, credentialValues: ctx.credentialValues }, ca, owner, op(io));
    if (issued.length > 0) io.log(`leaf certificates issued for the inspected hosts: ${issued.join(', ')}`);
    await ensureDir(files.superviseDir);
    for (const dir of [configDir, logDir, files.superviseDir]) await handOver(dir, owner);
    const image = io.needs['bundle-image'].image;
    const mounts = [
      { host: configDir, guest: BUNDLE_PATHS.config, readonly: true },
      { host: logDir, guest: BUNDLE_PATHS.logs, readonly: false },
      { host: files.gateDir, guest: BUNDLE_PATHS.git, readonly: false },
      { host: files.superviseDir, guest: BUNDLE_PATHS.supervise, readonly: false },
    ];
    // The bottle's user as the bundle sees its mounts: on a rootless engine that is the engine's root, not the same uid.
    const mountUser = backend.sharesHostPaths ? await backend.hostUserInGuest?.(op(io)) : undefined;
    const spec = {
      image,
      user: mountUser ?? bundleUser(),
      memoryMiB: BUNDLE_MEMORY_MIB,
      pids: BUNDLE_PIDS,
      readOnlyRoot: true,
      network: plan.network.name,
      ip: plan.bundleIp,
      extraNetworks: [{ name: plan.network.egress.name }],
      ...(backend.sharesHostPaths ? { mounts } : { volumes: bundleVolumes(plan) }),
    };
    const networkId = io.needs.network.id;
    // An attempt after one that found the shared egress network gone (NETWORK_GONE: another run's `down` removed it) makes it again.
    if (io.attempt > 1) await backend.ensureNetwork(plan.network, op(io));
    // A new bundle says it listens by writing ready.json where we see it: no probe runs in it while it boots.
    await rm(files.ready, { force: true });
    const info = await backend.startMachine(
      {
        ...spec,
        name: plan.bundle,
        labels: { ...plan.labels, 'bot-bottle.role': 'bundle' },
        // The policy and credentials are not in it: the proxy reloads them. Its upstream roots are read at start.
        configHash: hash(stableStringify({ ...spec, config, ca: prepared.caDigest, networkId, upstreamCa: await upstreamCaDigest(plan) })),
        env: {},
        ...(backend.sharesHostPaths ? {} : { initialFiles: (read: ReadMachineFile) => bundleSeed(plan, read) }),
      },
      op(io),
    );
    if (info.created) await waitReadyFile(ctx, io);
    else {
      await pushBundleConfig(backend, plan, op(io));
      await waitHealthy(ctx, io);
    }
    return { bundle: plan.bundle, id: info.id, proxyUrl: plan.proxyUrl, auditLog: files.auditLog };
  },
  isDone: async (ctx, out, signal) =>
    (await backendOf(ctx).status([out.bundle], { signal })).get(out.bundle) === 'running' &&
    (await egressFilesCurrent(
      { plan: ctx.plan, files: bottleFiles(ctx.plan.stateDir), live: await keptLiveRules(ctx), credentialValues: ctx.credentialValues },
      bundleLiveFiles(backendOf(ctx), ctx.plan, { signal }),
    )),
});

/** The live rules this run keeps: all with --keep-live-rules, else none. */
async function keptLiveRules(ctx: BottleCtx): Promise<LiveRules> {
  return ctx.keepLiveRules ? readLiveRules(bottleFiles(ctx.plan.stateDir).liveRules) : NO_LIVE_RULES;
}

/** The live rules kept, or, without --keep-live-rules, dropped (their file removed), saying which. */
async function liveRulesOfRun(ctx: BottleCtx, io: TaskIO): Promise<LiveRules> {
  const path = bottleFiles(ctx.plan.stateDir).liveRules;
  const live = await readLiveRules(path);
  if (isEmpty(live)) return live;
  if (ctx.keepLiveRules) {
    io.log(`live rules kept (--keep-live-rules): ${describeLiveRules(live)}`);
    return live;
  }
  await rm(path, { force: true });
  io.log(`live rules dropped, back to the manifest: ${describeLiveRules(live)}`);
  return NO_LIVE_RULES;
}

async function upstreamCaDigest(plan: BottlePlan): Promise<string | null> {
  return plan.egress.upstreamCa ? hash(await readFile(plan.egress.upstreamCa, 'utf8')) : null;
}

/**
 * Waits for a new bundle's ready file (a host file where the directory is
 * mounted, no call to the backend; else read from the bundle, less often).
 * Now and then it asks the daemon itself and whether the bundle still runs.
 */
async function waitReadyFile(ctx: BottleCtx, io: TaskIO) {
  const backend = backendOf(ctx);
  const started = io.clock.now();
  const everyMs = backend.sharesHostPaths ? 50 : 250;
  for (let i = 1; ; i++) {
    const ready = await bundleReady(backend, ctx.plan, { signal: io.signal });
    if (ready) {
      io.log(`bundle ready: ${ready}`);
      return;
    }
    if (i % 10 === 0 && (await probeHealth(ctx, io)).exitCode === 0) return;
    if (i % 40 === 0) {
      const state = (await backend.status([ctx.plan.bundle], { signal: io.signal, fresh: true })).get(ctx.plan.bundle);
      if (state !== 'running') throw new TaskError(`the bundle ${ctx.plan.bundle} is ${state}; ${backend.whyStopped(ctx.plan.bundle)}`, { code: 'BUNDLE_DOWN', transient: true });
    }
    if (io.clock.now() - started > 60_000) throw new TaskError(`the bundle ${ctx.plan.bundle} did not say its daemons were ready in 60 s; ${backend.whyStopped(ctx.plan.bundle)}`, { code: 'UNHEALTHY', transient: true });
    await io.clock.sleep(everyMs, io.signal);
  }
}

/** One request to each daemon's health endpoint, from inside the bundle; the first that fails ends it. */
function probeHealth(ctx: BottleCtx, io: TaskIO) {
  const urls = [PROXY_PORT, GIT_GATE_PORT, SUPERVISE_PORT].map((port) => `http://127.0.0.1:${port}/health`);
  const probe = ['curl', '-fsS', '--fail-early', '--max-time', '2', ...urls];
  return backendOf(ctx)
    .exec(ctx.plan.bundle, probe, { signal: io.signal })
    .catch((error: Error) => ({ exitCode: -1, stdout: '', stderr: error.message }));
}

/** Polls each daemon's health endpoint from inside the bundle; a bundle that stopped ends the wait at once. Also `bottle start`'s wait (graphs/start.ts). */
export async function waitHealthy(ctx: BottleCtx, io: TaskIO) {
  const backend = backendOf(ctx);
  let last = '';
  for (let i = 0; i < 100; i++) {
    const result = await probeHealth(ctx, io);
    if (result.exitCode === 0) {
      io.log(`daemons healthy: ${result.stdout.trim()}`);
      return;
    }
    last = result.stderr.trim();
    const state = (await backend.status([ctx.plan.bundle], { signal: io.signal, fresh: true })).get(ctx.plan.bundle);
    if (state !== 'running') {
      throw new TaskError(`the bundle ${ctx.plan.bundle} is ${state}; ${backend.whyStopped(ctx.plan.bundle)}`, { code: 'BUNDLE_DOWN', transient: true });
    }
    await io.clock.sleep(100, io.signal);
  }
  throw new TaskError(`the daemons in ${ctx.plan.bundle} did not all answer their health checks: ${last}`, { code: 'UNHEALTHY', transient: true });
}
