/**
 * An extra Docker Engine for tests, standing in for another host: its own
 * dockerd (and containerd) in a network namespace of its own, reachable from
 * the host over TCP through a veth pair, TLS with client certificates by
 * default or plain HTTP. Needs root. Everything it makes lives in one temp
 * dir, one netns and one veth pair, and `stop()` removes all of it (safe to
 * call twice; start() cleans up after itself when it fails).
 *
 * The dockerd flags, and why:
 * - `--data-root`, `--exec-root`, `--pidfile`, `-H unix://<dir>/docker.sock`,
 *   `--config-file <dir>/daemon.json` (`{}`): nothing shared with the host's
 *   engine (exec-root also moves its containerd's sockets and the containers'
 *   netns files); a /etc/docker/daemon.json of the host cannot add to it.
 * - `-H tcp://<netns ip>:2376` with `--tlsverify --tlscacert --tlscert
 *   --tlskey`, or `-H tcp://<netns ip>:2375 --tls=false`: without an explicit
 *   `--tls=false` dockerd 20.10 sleeps 15 s at startup to deter plain TCP.
 * - `--bip 10.X.254.1/24` and `--default-address-pool base=10.X.0.0/17,size=24`
 *   in a 10.X.0.0/16 no network of the host uses (free-subnet.ts); the veth
 *   /30 is 10.X.255.252/30. Its default bridge keeps the name docker0: link
 *   names are per namespace.
 * - iptables stays on: the rules it writes go to the namespace's own tables
 *   (iptables-nft is per network namespace, as is ip_forward), so containers
 *   get the NAT and isolation they get on a real host and the host's rules are
 *   untouched; `--iptables=false` is not needed here.
 * - `--storage-driver overlay2` (the temp dir is on ext4 here); `vfs` is the
 *   option when the temp dir is on a file system overlay cannot sit on.
 * - `--shutdown-timeout 5`: a container left running stops `stop()` no longer.
 * - `--cgroup-parent /<netns name>`: its containers' cgroups apart from the
 *   host engine's `/docker`, so `stop()` can find and kill a container whose
 *   engine died without stopping it (cgroup-tree.ts), and remove the parent
 *   directory runc leaves behind.
 * It does not pull images (the namespace has no route out): copy-image.ts
 * (lib/docker/stream-image.ts).
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeCgroupTree } from './cgroup-tree.js';
import { makeEngineCerts } from './engine-certs.js';
import { logTail, spawnDockerd, stopDockerd, unmountUnder, type DockerdProcess } from './dockerd-process.js';
import { pickFreeSlash16, releaseSlash16 } from './free-subnet.js';
import { createNetnsLink, type NetnsLink } from './netns-link.js';

export interface EngineInNetnsOptions {
  /** TLS with client certificates on 2376 (default), or plain HTTP on 2375. */
  tls?: boolean;
  storageDriver?: 'overlay2' | 'vfs';
  /** How long to wait for `GET /_ping` to answer (default 60 s). */
  startTimeoutMs?: number;
  /** The host's engine, asked which subnets its networks use (default: /var/run/docker.sock). */
  hostDocker?: Docker;
}

export interface TestEngine {
  /** The netns name, also the engine's name in messages. */
  name: string;
  ip: string;
  /** The host end of its veth pair. */
  hostIf: string;
  tcpUrl: string;
  tls?: { ca: string; cert: string; key: string };
  socketPath: string;
  /** For the docker CLI: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH (empty when plain). */
  dockerEnv: Record<string, string>;
  pid: number;
  dir: string;
  logPath: string;
  /** A dockerode client over TCP, with the client certificate when TLS. */
  docker: Docker;
  /** `GET /_ping` over TCP on a bounded wait; rejects when it does not answer OK in time. */
  ping(timeoutMs?: number): Promise<void>;
  /** Takes the veth down at the namespace's end: the engine becomes a host gone (netns-link.ts says why that end). */
  cutLink(): Promise<void>;
  restoreLink(): Promise<void>;
  /** Stops dockerd by pid and removes its containers, cgroup, mounts, netns, veth and dir; safe to call again. */
  stop(): Promise<void>;
}

export async function startEngineInNetns(options: EngineInNetnsOptions = {}): Promise<TestEngine> {
  const tls = options.tls ?? true;
  const hostDocker = options.hostDocker ?? new Docker({ socketPath: '/var/run/docker.sock' });
  const x = await pickFreeSlash16(hostDocker);
  const id = randomBytes(3).toString('hex');
  const name = `bbeng-${id}`;
  const ip = `10.${x}.255.254`;
  const port = tls ? 2376 : 2375;
  // Short: containerd's socket lands under it, and unix socket paths stop at 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'bbeng-')).catch((error: Error) => {
    releaseSlash16(x);
    throw error;
  });
  // The log goes with the dir on stop(); a failed start puts its tail in the error.
  const logPath = join(dir, 'dockerd.log');
  const hostIf = `bbeng${id}h`;
  const cgroupParent = `/${name}`;
  let link: NetnsLink | undefined;
  let proc: DockerdProcess | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Processes first (a mount in use does not unmount), mounts next, then the files under them.
      const errors = proc ? await stopDockerd(proc, dir) : [];
      errors.push(...(await removeCgroupTree(cgroupParent)));
      errors.push(...(await unmountUnder(dir)));
      await link?.remove().catch((error: Error) => errors.push(error));
      await rm(dir, { recursive: true, force: true }).catch((error: Error) => errors.push(error));
      releaseSlash16(x);
      if (errors.length) throw new Error(`stopping the test engine ${name} left things behind:\n${errors.map((e) => `- ${e.message}`).join('\n')}`);
    })());

  try {
    link = await createNetnsLink({ netns: name, hostIf, nsIf: `bbeng${id}n`, hostCidr: `10.${x}.255.253/30`, nsCidr: `${ip}/30` });
    const certs = tls ? await makeEngineCerts(join(dir, 'tls'), ip) : undefined;
    const socketPath = join(dir, 'docker.sock');
    await writeFile(join(dir, 'daemon.json'), '{}\n');
    const args = [
      '--config-file', join(dir, 'daemon.json'),
      '--data-root', join(dir, 'data'),
      '--exec-root', join(dir, 'run'),
      '--pidfile', join(dir, 'dockerd.pid'),
      '-H', `unix://${socketPath}`,
      '-H', `tcp://${ip}:${port}`,
      ...(certs ? ['--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey] : ['--tls=false']),
      '--bip', `10.${x}.254.1/24`,
      '--default-address-pool', `base=10.${x}.0.0/17,size=24`,
      '--storage-driver', options.storageDriver ?? 'overlay2',
      '--shutdown-timeout', '5',
      '--cgroup-parent', cgroupParent,
    ];
    proc = spawnDockerd(link.netnsPath, args, logPath);
    const docker = certs
      ? new Docker({ protocol: 'https', host: ip, port, ca: await readFile(certs.ca), cert: await readFile(certs.clientCert), key: await readFile(certs.clientKey) })
      : new Docker({ protocol: 'http', host: ip, port });
    const ping = (timeoutMs = 2_000) => pingOver(docker, timeoutMs);
    await waitUntilUp(name, proc, ping, logPath, options.startTimeoutMs ?? 60_000);
    const pidFile = (await readFile(join(dir, 'dockerd.pid'), 'utf8')).trim();
    if (pidFile !== String(proc.pid)) throw new Error(`the test engine ${name} wrote pid ${pidFile} to its pidfile, not the ${proc.pid} it was started as; stopping by pid would miss it`);
    const activeLink = link;
    return {
      name,
      ip,
      hostIf,
      tcpUrl: `tcp://${ip}:${port}`,
      ...(certs ? { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } } : {}),
      socketPath,
      dockerEnv: certs
        ? { DOCKER_HOST: `tcp://${ip}:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir }
        : { DOCKER_HOST: `tcp://${ip}:${port}`, DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' },
      pid: proc.pid,
      dir,
      logPath,
      docker,
      ping,
      cutLink: () => activeLink.cut(),
      restoreLink: () => activeLink.restore(),
      stop,
    };
  } catch (error) {
    await stop().catch((cleanup: Error) => {
      throw new AggregateError([error, cleanup], `${(error as Error).message}\n(and cleaning up failed too: ${cleanup.message})`);
    });
    throw error;
  }
}

async function pingOver(docker: Docker, timeoutMs: number): Promise<void> {
  // dockerode's ping takes an abortSignal; its types do not say so.
  const answer = await (docker.ping as (options: { abortSignal: AbortSignal }) => Promise<unknown>).call(docker, { abortSignal: AbortSignal.timeout(timeoutMs) });
  if (String(answer) !== 'OK') throw new Error(`GET /_ping answered "${String(answer)}", expected "OK"`);
}

async function waitUntilUp(name: string, proc: DockerdProcess, ping: (ms: number) => Promise<void>, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (!proc.hasExited()) {
    try {
      return await ping(Math.min(2_000, Math.max(1, deadline - Date.now())));
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`the test engine ${name} did not answer GET /_ping within ${timeoutMs / 1000} s (last: ${last}); its dockerd log ended:\n${await logTail(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`dockerd for the test engine ${name} ended (${proc.howItEnded()}) before it answered GET /_ping; its log ended:\n${await logTail(logPath)}`);
}

/**
 * A TLS engine and a plain one, started at once, for a test file's
 * beforeAll (root only: network namespaces, veth, dockerd). Each started
 * engine is pushed onto `started` as soon as it is up, so the file's
 * afterAll stops it even when the other failed to start.
 */
export async function startTlsAndPlainEngines(started: TestEngine[]): Promise<[TestEngine, TestEngine]> {
  if (process.getuid?.() !== 0) throw new Error(`these tests need root (network namespaces, veth, dockerd); running as uid ${process.getuid?.()}`);
  const results = await Promise.allSettled([startEngineInNetns({ tls: true }), startEngineInNetns({ tls: false })]);
  for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [tls, plain] = results as [PromiseFulfilledResult<TestEngine>, PromiseFulfilledResult<TestEngine>];
  return [tls.value, plain.value];
}
