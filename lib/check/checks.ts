/**
 * What `bottle check` asks before the first `up`: whether the Docker Engine
 * answers and its version, the platform the images will be built for, free
 * disk (the engine's data root when it is on this machine, else the state
 * dir's filesystem), whether there will be a base image (present, pullable,
 * or debootstrap to make one: the same order as lib/images/base-image.ts),
 * and Node and npm. Each item says what it found and, when that is a
 * problem, what to do. Every question to the engine or a registry is
 * bounded by a timeout, and one that cannot be asked (the engine does not
 * answer) is skipped, so it answers fast when nothing is set up. It changes
 * nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { docker, isNotFound, saidBy, withEngine } from '../docker/client.js';
import { socketCodeOf } from '../docker/failures.js';
import { describeEndpoint, dockerEndpoint, type Endpoint } from '../docker/endpoint.js';
import { clientOf } from '../docker/engine-scope.js';
import { imageExists } from '../docker/images.js';
import { DEFAULT_BASE_CHOICE, type BaseChoice } from '../images/base-image.js';
import { debianMirror } from '../images/debian-mirror.js';
import { packageRoot } from '../images/paths.js';
import { npmPlatformName, platformOf, platformString } from '../images/platform.js';

export const CHECK_NAMES = ['engine', 'platform', 'disk', 'base-image', 'node', 'npm'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckItem {
  name: CheckName;
  /** `skipped`: it could not be asked (the engine does not answer). */
  status: 'ok' | 'problem' | 'skipped';
  /** What was found. */
  detail: string;
  /** What to do about it (problems only). */
  fix?: string;
}

export interface CheckOptions {
  env: NodeJS.ProcessEnv;
  /** The state root (absolute; it need not exist yet). */
  stateRoot: string;
  signal?: AbortSignal;
  /** How long the engine may take to answer (default ENGINE_TIMEOUT_MS). */
  engineTimeoutMs?: number;
  /** How long a registry may take to say whether it has the base image (default PULLABLE_TIMEOUT_MS). */
  pullableTimeoutMs?: number;
  /** What is tried for the base without BOTTLE_BASE_IMAGE (tests name images of their own). */
  baseChoice?: BaseChoice;
  /** Whether this process may run debootstrap (it needs root); default: it runs as root. */
  isRoot?: boolean;
  /** The Node version to judge (default: this process's). */
  nodeVersion?: string;
}

export const ENGINE_TIMEOUT_MS = 5_000;
export const PULLABLE_TIMEOUT_MS = 10_000;
/** What bottle's images take (base, agent, bundle: about 1.6 GB) and their build contexts, with room for the bottles' work. */
export const MIN_FREE_BYTES = 4 * 2 ** 30;
/** `inhibit_ipv4` on the bottles' networks needs it (README). */
export const MIN_ENGINE_VERSION = '20.10';
/** npm that knows `--libc` (10.3; `--os`/`--cpu` since 10.1): Claude Code for the image's platform. */
export const MIN_NPM_VERSION = '10.3';

interface EngineFacts {
  version: string;
  os: string;
  arch: string;
  /** The engine machine's name (its hostname). */
  name: string;
  rootDir: string;
  operatingSystem: string;
}

export async function runChecks(options: CheckOptions): Promise<CheckItem[]> {
  const [engineItems, node, npm] = await Promise.all([engineChecks(options), nodeCheck(options), npmCheck(options)]);
  return [...engineItems, node, npm];
}

async function engineChecks(options: CheckOptions): Promise<CheckItem[]> {
  const skipped = (name: CheckName, detail = 'not checked: the Docker Engine does not answer'): CheckItem => ({ name, status: 'skipped', detail });
  let endpoint: Endpoint;
  try {
    endpoint = dockerEndpoint(options.env);
  } catch (error) {
    return [
      { name: 'engine', status: 'problem', detail: (error as Error).message, fix: 'correct DOCKER_HOST (unix:///path, tcp://host:port or ssh://user@host) or the Docker context (`docker context ls`)' },
      skipped('platform'),
      await diskCheck(options, undefined, undefined),
      skipped('base-image'),
    ];
  }
  const asked = await askEngine(endpoint, options.engineTimeoutMs ?? ENGINE_TIMEOUT_MS, options.signal);
  if (!asked.ok) return [{ name: 'engine', status: 'problem', detail: asked.detail, fix: asked.fix }, skipped('platform'), await diskCheck(options, endpoint, undefined), skipped('base-image')];
  const facts = asked.facts;
  const engine: CheckItem = atLeast(facts.version, MIN_ENGINE_VERSION)
    ? { name: 'engine', status: 'ok', detail: `Docker Engine ${facts.version} at ${describeEndpoint(endpoint)}` }
    : {
        name: 'engine',
        status: 'problem',
        detail: `Docker Engine ${facts.version} at ${describeEndpoint(endpoint)}: older than ${MIN_ENGINE_VERSION}, which bottle's networks need`,
        fix: `upgrade Docker to ${MIN_ENGINE_VERSION} or later`,
      };
  const platform = platformOf(facts.os, facts.arch);
  const platformItem: CheckItem =
    'platform' in platform
      ? { name: 'platform', status: 'ok', detail: `${platformString(platform.platform)}: the images are built for it, with Claude Code's ${npmPlatformName(platform.platform)} build` }
      : { name: 'platform', status: 'problem', detail: `${facts.os}/${facts.arch}`, fix: platform.error };
  const [disk, base] = await Promise.all([diskCheck(options, endpoint, facts), withEngine(endpoint, () => baseImageCheck(options))]);
  return [engine, platformItem, disk, base];
}

async function askEngine(endpoint: Endpoint, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: true; facts: EngineFacts } | { ok: false; detail: string; fix: string }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const client = clientOf(endpoint).docker;
  const ask = async (): Promise<EngineFacts> => {
    // dockerode takes an abortSignal here too; its types do not say so.
    const [version, info] = await Promise.all([
      (client.version as (opts: object) => Promise<{ Version: string; Os: string; Arch: string }>).call(client, { abortSignal }),
      (client.info as (opts: object) => Promise<{ Name?: string; DockerRootDir?: string; OperatingSystem?: string }>).call(client, { abortSignal }),
    ]);
    return { version: version.Version, os: version.Os, arch: version.Arch, name: info.Name ?? '', rootDir: info.DockerRootDir ?? '', operatingSystem: info.OperatingSystem ?? '' };
  };
  const where = describeEndpoint(endpoint);
  try {
    return { ok: true, facts: await bounded(ask(), abortSignal) };
  } catch (error) {
    if (timeout.aborted) return { ok: false, detail: `no answer from the Docker Engine at ${where} within ${timeoutMs / 1000} s`, fix: `see whether it is running and answers (\`docker info\`); ${elsewhere(endpoint)}` };
    const code = socketCodeOf(error);
    if (code === 'EACCES') {
      return {
        ok: false,
        detail: `no permission to use the Docker Engine at ${where}`,
        fix: 'add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker (DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)',
      };
    }
    const said = code ? `${code}${SOCKET_CODES[code] ? ` (${SOCKET_CODES[code]})` : ''}` : saidBy(error);
    return { ok: false, detail: `cannot reach the Docker Engine at ${where}: ${said}`, fix: `start Docker (Linux: \`sudo systemctl start docker\`; macOS: Docker Desktop, \`colima start\` or OrbStack), ${elsewhere(endpoint)}` };
  }
}

const SOCKET_CODES: Record<string, string> = {
  ENOENT: 'no socket there',
  ECONNREFUSED: 'nothing listens there',
  EHOSTUNREACH: 'no route to the host',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name does not resolve now',
};

function elsewhere(endpoint: Endpoint): string {
  if (endpoint.source === 'DOCKER_HOST') return 'or correct DOCKER_HOST (or unset it for the local socket)';
  if (endpoint.context !== undefined) return `or correct the Docker context ${endpoint.context} (\`docker context use default\` for the local socket)`;
  return 'or point DOCKER_HOST or the Docker context at a running engine';
}

/** Free space where the images go: the engine's data root when the engine runs on this machine (a local socket, this hostname), else the state dir's filesystem. */
async function diskCheck(options: CheckOptions, endpoint: Endpoint | undefined, facts: EngineFacts | undefined): Promise<CheckItem> {
  const local = endpoint?.socketPath !== undefined && facts !== undefined && facts.name === hostname() && facts.rootDir !== '' && !/Docker Desktop/i.test(facts.operatingSystem);
  let where: { path: string; what: string } | undefined;
  let free: number | undefined;
  if (local) {
    free = await freeBytes(facts.rootDir);
    if (free !== undefined) where = { path: facts.rootDir, what: "the engine's data root" };
  }
  if (free === undefined) {
    const path = nearestExisting(options.stateRoot);
    free = await freeBytes(path);
    const engineAt = facts ? `; the engine's data root ${facts.rootDir || '(not said)'} is ${local ? 'not readable here' : 'on the engine machine'}` : '';
    where = { path, what: `the state dir's filesystem${engineAt}` };
  }
  if (free === undefined || !where) return { name: 'disk', status: 'skipped', detail: `could not read the free space of ${options.stateRoot}` };
  const detail = `${gib(free)} free on ${where.path} (${where.what})`;
  if (free >= MIN_FREE_BYTES) return { name: 'disk', status: 'ok', detail };
  return {
    name: 'disk',
    status: 'problem',
    detail: `${detail}: less than the ${gib(MIN_FREE_BYTES)} bottle's images and their builds need`,
    fix: "free space there (`docker system prune` removes stopped containers and unused images; Docker Desktop: raise its disk limit)",
  };
}

/**
 * The base image, in the order `bottle up` tries it: BOTTLE_BASE_IMAGE
 * (present or pullable); else the registry image (present or pullable), the
 * debootstrap image made before, or debootstrap to make it.
 */
async function baseImageCheck(options: CheckOptions): Promise<CheckItem> {
  const choice = options.baseChoice ?? DEFAULT_BASE_CHOICE;
  const timeoutMs = options.pullableTimeoutMs ?? PULLABLE_TIMEOUT_MS;
  const wanted = options.env.BOTTLE_BASE_IMAGE;
  try {
    if (wanted) {
      if (await imageExists(wanted, opts(options))) return { name: 'base-image', status: 'ok', detail: `${wanted} (BOTTLE_BASE_IMAGE), present on the engine` };
      const pullable = await canPull(wanted, timeoutMs, options.signal);
      if (pullable === true) return { name: 'base-image', status: 'ok', detail: `${wanted} (BOTTLE_BASE_IMAGE) can be pulled` };
      return {
        name: 'base-image',
        status: 'problem',
        detail: `${wanted} (BOTTLE_BASE_IMAGE) is not on the engine and cannot be pulled: ${pullable}`,
        fix: `correct BOTTLE_BASE_IMAGE (a Debian bookworm image), \`docker login\` to its registry, or load it into the engine; unset it to use ${choice.registry} or debootstrap`,
      };
    }
    if (await imageExists(choice.registry, opts(options))) return { name: 'base-image', status: 'ok', detail: `${choice.registry}, present on the engine` };
    const pullable = await canPull(choice.registry, timeoutMs, options.signal);
    if (pullable === true) return { name: 'base-image', status: 'ok', detail: `${choice.registry} can be pulled (\`bottle up\` pulls it)` };
    const noPull = `${choice.registry} cannot be pulled (${pullable})`;
    if (await imageExists(choice.built, opts(options))) return { name: 'base-image', status: 'ok', detail: `${noPull}; ${choice.built}, made by debootstrap before, is used` };
    return debootstrapCheck(options, choice, noPull);
  } catch (error) {
    return { name: 'base-image', status: 'skipped', detail: `not checked: ${(error as Error).message}` };
  }
}

function debootstrapCheck(options: CheckOptions, choice: BaseChoice, noPull: string): CheckItem {
  const others = `or make ${choice.registry} pullable (a registry the engine reaches, or \`docker load\` it), or set BOTTLE_BASE_IMAGE to a Debian bookworm image the engine has`;
  const debootstrap = onPath('debootstrap', options.env);
  if (!debootstrap) return { name: 'base-image', status: 'problem', detail: `${noPull}, and debootstrap is not installed to make ${choice.built}`, fix: `install debootstrap (\`sudo apt-get install debootstrap\`), ${others}` };
  const mirror = debianMirror(options.env);
  if (!mirror) return { name: 'base-image', status: 'problem', detail: `${noPull}, and no Debian mirror is known for debootstrap`, fix: `set BOTTLE_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian), ${others}` };
  if (!(options.isRoot ?? (process.getuid?.() === 0))) {
    return { name: 'base-image', status: 'problem', detail: `${noPull}, and debootstrap (${debootstrap}) needs root to make ${choice.built}`, fix: `run the first \`bottle up\` as root (it makes the image once), ${others}` };
  }
  return { name: 'base-image', status: 'ok', detail: `${noPull}; \`bottle up\` makes ${choice.built} with ${debootstrap} from ${mirror} (a few minutes, once)` };
}

/** true, or why not in one line: asks the engine to ask the registry for the image's manifest (no pull), within `timeoutMs`. */
async function canPull(name: string, timeoutMs: number, signal?: AbortSignal): Promise<true | string> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const image = docker().getImage(name);
  try {
    await bounded((image.distribution as (opts: object) => Promise<unknown>).call(image, { abortSignal }), abortSignal);
    return true;
  } catch (error) {
    if (timeout.aborted) return `no answer from its registry within ${timeoutMs / 1000} s`;
    if (signal?.aborted) throw error;
    if (isNotFound(error)) return `its registry has no ${name}: ${saidBy(error)}`;
    return saidBy(error);
  }
}

async function nodeCheck(options: CheckOptions): Promise<CheckItem> {
  const version = options.nodeVersion ?? process.versions.node;
  const wants = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '';
  const min = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(wants.trim())?.[1];
  if (!min) return { name: 'node', status: 'ok', detail: `v${version} (package.json's engines.node "${wants}" is not checked)` };
  if (atLeast(version, min)) return { name: 'node', status: 'ok', detail: `v${version} (bottle needs ${min} or later)` };
  return { name: 'node', status: 'problem', detail: `v${version}: bottle needs Node ${min} or later`, fix: `install Node ${min} or later (nodejs.org, or \`nvm install 22\`)` };
}

async function npmCheck(options: CheckOptions): Promise<CheckItem> {
  const r = await execa('npm', ['--version'], { env: options.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 15_000, ...(options.signal ? { cancelSignal: options.signal } : {}) });
  const version = String(r.stdout ?? '').trim();
  if (r.exitCode !== 0 || !/^\d+\.\d+/.test(version)) {
    return { name: 'npm', status: 'problem', detail: `npm does not run (${r.exitCode === undefined ? r.shortMessage : `exit ${r.exitCode}`}): \`bottle up\` installs Claude Code with it`, fix: 'install npm (it comes with Node: nodejs.org), and put it on PATH' };
  }
  if (atLeast(version, MIN_NPM_VERSION)) return { name: 'npm', status: 'ok', detail: `${version} (installs Claude Code for the image's platform with --os/--cpu/--libc)` };
  return {
    name: 'npm',
    status: 'problem',
    detail: `${version}: older than ${MIN_NPM_VERSION}, which knows --libc to install Claude Code for the image's platform`,
    fix: 'upgrade npm (`npm install -g npm@latest`)',
  };
}

/** Whether dotted version `have` (`20.10.24+dfsg1`, `v20.20.2`) is at least `min` (`20.10`). */
export function atLeast(have: string, min: string): boolean {
  const parts = (v: string) => (/^v?(\d+(?:\.\d+)*)/.exec(v.trim())?.[1] ?? '0').split('.').map(Number);
  const [a, b] = [parts(have), parts(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? 0, b[i] ?? 0];
    if (x !== y) return x > y;
  }
  return true;
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

function nearestExisting(path: string): string {
  let at = path;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

function onPath(file: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, file))) return join(dir, file);
  }
  return undefined;
}

function opts(options: CheckOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** The promise, or the signal's reason when it aborts first (not every transport heeds the signal). */
async function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const expired = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  expired.catch(() => undefined);
  promise.catch(() => undefined);
  return Promise.race([promise, expired]);
}
