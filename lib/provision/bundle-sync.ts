/**
 * The bundle's four directories where its engine cannot mount this host's
 * paths (a remote engine: `!backend.sharesHostPaths`): named volumes of the
 * bottle (its labels, so `down` removes them), kept in step with the host's
 * directories, which stay where every reader looks and what every writer on
 * the host writes.
 * - In: the config directory (whole, each time the host writes it: the
 *   proxy reloads the policy and the credentials), `bottle answer`'s
 *   answers, and once, when the volumes are new, the host's copies of the
 *   rest (the seeded gate repository, the logs and messages so far).
 * - Out, before a host reader reads: the logs and the messages (a file only
 *   written on is appended to, so a reader following it reads on), the gate
 *   repository (replaced whole).
 * The config volume is writable in the bundle, unlike its bind mount: Docker
 * unpacks an archive only into a writable mount, and the renames need one;
 * what the bundle might write there reaches nothing of the host's, and the
 * next push replaces it. The gate repository is seeded into a new volume
 * only: the host's later seeds (its refs moved) do not reach a bundle whose
 * volume is filled, until `down` and `up` make it anew.
 * Where the backend shares host paths (the directories are mounted) every
 * function but the ready file's is a no-op. A pulled tree is unpacked by
 * extract-tree.ts and put in place by mirror.ts (nothing outside the host
 * directory, no link followed);
 * what goes in belongs to the bundle's user, modes kept (credentials.json
 * stays 0600). It decides nothing about what the files say.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ANSWERS_FILE, MESSAGES_FILE } from '../../daemons/supervise/format.js';
import { treeEntries, type GuestEntry } from '../backends/guest-files.js';
import { ROLE_LABEL } from '../backends/labels.js';
import { streamTreeOut } from '../backends/stream-tree-out.js';
import type { Backend, FilesRequest, MachineSpec, OpOptions, ReadMachineFile } from '../backends/types.js';
import { TaskError } from '../engine/index.js';
import { extractTree } from '../fs/extract-tree.js';
import { mirrorFiles, replaceTree, topFiles } from '../fs/mirror.js';
import { gateRepoOf } from '../gate/of-plan.js';
import type { BottlePlan } from '../plan/types.js';
import { bundleOwner } from '../state/bundle-owner.js';
import { BUNDLE_LIVE_FILES, bottleFiles } from '../state/layout.js';
import { BUNDLE_PATHS } from './bundle-configs.js';

type Dir = 'config' | 'logs' | 'git' | 'supervise';
/** What the bundle writes, which the host pulls. */
export type PulledDir = Exclude<Dir, 'config'>;

const DIRS: readonly Dir[] = ['config', 'logs', 'git', 'supervise'];
const PULLED: readonly PulledDir[] = ['logs', 'git', 'supervise'];
const READY = 'ready.json';
/** In a volume filled from the host once: it is the bundle's from then on. */
const SEEDED = '.bot-bottle-seeded';
const MAX_READ_BYTES = 16 * 1024 * 1024;

/** The bundle's user as a machine spec names it. */
export function bundleUser(): string {
  const { uid, gid } = bundleOwner();
  return `${uid}:${gid}`;
}

function bundleVolumeLabels(plan: BottlePlan): Record<string, string> {
  return { ...plan.labels, [ROLE_LABEL]: 'bundle' };
}

/** The bundle's directories as volumes: `<bundle>-config`, `-logs`, `-git`, `-supervise`. */
export function bundleVolumes(plan: BottlePlan): NonNullable<MachineSpec['volumes']> {
  return DIRS.map((dir) => ({ name: `${plan.bundle}-${dir}`, guest: BUNDLE_PATHS[dir], labels: bundleVolumeLabels(plan) }));
}

/**
 * What a new bundle holds before it starts (MachineSpec.initialFiles): the
 * config directory; an empty ready file (one left by the bundle before is
 * no answer); and, into each other volume not filled yet, the host's copy.
 */
export async function bundleSeed(plan: BottlePlan, read: ReadMachineFile): Promise<FilesRequest[]> {
  const files = bottleFiles(plan.stateDir);
  const user = bundleUser();
  const fresh = async (dir: PulledDir) => (await read(`${BUNDLE_PATHS[dir]}/${SEEDED}`, 1024)) === undefined;
  const mark: GuestEntry = { path: SEEDED, content: '', mode: 0o644 };
  const requests: FilesRequest[] = [{ dir: BUNDLE_PATHS.config, entries: await treeEntries(files.bundleDir, ''), user }];
  const logs = (await fresh('logs')) ? [...(await topEntries(files.egressDir, (name) => name !== READY)), mark] : [];
  requests.push({ dir: BUNDLE_PATHS.logs, entries: [...logs, { path: READY, content: '', mode: 0o644 }], user });
  if (await fresh('git')) requests.push({ dir: BUNDLE_PATHS.git, entries: [...(await treeEntries(gateRepoOf(plan), plan.gate.repo)), mark], user });
  if (await fresh('supervise')) requests.push({ dir: BUNDLE_PATHS.supervise, entries: [...(await topEntries(files.superviseDir, () => true)), mark], user });
  return requests;
}

/** The host's config directory into the bundle (after the host wrote it: `up`, `allow`, `deny`). */
export async function pushBundleConfig(backend: Backend, plan: BottlePlan, options: OpOptions): Promise<void> {
  if (backend.sharesHostPaths) return;
  await pushInto(backend, plan, 'config', await treeEntries(bottleFiles(plan.stateDir).bundleDir, ''), options);
}

/** The host's answers.jsonl into the bundle (after `bottle answer` wrote it). */
export async function pushAnswers(backend: Backend, plan: BottlePlan, options: OpOptions): Promise<void> {
  if (backend.sharesHostPaths) return;
  await pushInto(backend, plan, 'supervise', await topEntries(bottleFiles(plan.stateDir).superviseDir, (name) => name === ANSWERS_FILE), options);
}

/** What the running bundle wrote in one directory, into the host's (a bundle not running: what the host has is all there is). */
export async function pullBundleDir(backend: Backend, plan: BottlePlan, which: PulledDir, options: OpOptions): Promise<void> {
  if (backend.sharesHostPaths || (await stateOf(backend, plan, options)) !== 'running') return;
  await pull(backend, plan, which, options);
}

/** Before the bundle and its volumes go (`down`): all it wrote pulled home, a stopped bundle started for it. */
export async function bringBundleHome(backend: Backend, plan: BottlePlan, options: OpOptions): Promise<void> {
  if (backend.sharesHostPaths) return;
  const state = await stateOf(backend, plan, options);
  if (state === 'missing') return;
  try {
    if (state === 'stopped') await backend.resumeMachine(plan.bundle, options);
    for (const which of PULLED) await pull(backend, plan, which, options);
  } catch (error) {
    const said = (error as Error).message;
    throw new TaskError(`could not bring what ${plan.bundle} wrote (logs, gate repository, messages) home before removing it: ${said}; \`bottle down --purge\` removes it without`, { code: 'BRING_HOME_FAILED', transient: true, cause: error });
  }
}

/** The bundle's volumes gone (after the bundle). */
export async function removeBundleVolumes(backend: Backend, plan: BottlePlan, options: OpOptions): Promise<void> {
  if (backend.sharesHostPaths) return;
  await backend.removeVolumes?.(bundleVolumeLabels(plan), options);
}

/** A reader of the live files (BUNDLE_LIVE_FILES) as the bundle has them; undefined where it reads the host's. */
export function bundleLiveFiles(backend: Backend, plan: BottlePlan, options: OpOptions): ((name: keyof typeof BUNDLE_LIVE_FILES) => Promise<string | undefined>) | undefined {
  if (backend.sharesHostPaths) return undefined;
  return async (name) => (await backend.readFile(plan.bundle, `${BUNDLE_PATHS.config}/${BUNDLE_LIVE_FILES[name]}`, { ...options, user: bundleUser(), maxBytes: MAX_READ_BYTES }))?.toString('utf8');
}

/** What the bundle wrote in its ready file since it was made, or undefined: not yet. */
export async function bundleReady(backend: Backend, plan: BottlePlan, options: OpOptions): Promise<string | undefined> {
  const text = backend.sharesHostPaths
    ? await readFile(bottleFiles(plan.stateDir).ready, 'utf8').catch(() => undefined)
    : (await backend.readFile(plan.bundle, `${BUNDLE_PATHS.logs}/${READY}`, { ...options, user: bundleUser(), maxBytes: 64 * 1024 }))?.toString('utf8');
  return text?.trim() || undefined;
}

async function stateOf(backend: Backend, plan: BottlePlan, options: OpOptions) {
  return (await backend.status([plan.bundle], { ...options, fresh: true })).get(plan.bundle) ?? 'missing';
}

/** In mv's order: files the host changes together go in one by one, each whole. */
const PUT_IN_PLACE = 'set -e; d=$1; shift; for n in "$@"; do mv -f -T -- "$d/.$n.push" "$d/$n"; done';

/**
 * Entries into one of the bundle's directories. In a running bundle each
 * file at the top goes in under a temp name and is renamed into place, in
 * order: a daemon polling it reads the old file or the new one, never half,
 * and sees a new inode. A stopped bundle takes them as they are; a missing
 * one gets them when it is made (bundleSeed).
 */
async function pushInto(backend: Backend, plan: BottlePlan, dir: Dir, entries: GuestEntry[], options: OpOptions): Promise<void> {
  const state = await stateOf(backend, plan, options);
  if (state === 'missing' || entries.length === 0) return;
  const user = bundleUser();
  const swapped = state === 'running' ? entries.filter((e) => 'content' in e && !e.path.includes('/')).map((e) => e.path) : [];
  const named = entries.map((e) => (swapped.includes(e.path) ? { ...e, path: `.${e.path}.push` } : e));
  await backend.putFiles(plan.bundle, { dir: BUNDLE_PATHS[dir], entries: named, user }, options);
  if (swapped.length === 0) return;
  const moved = await backend.exec(plan.bundle, ['sh', '-c', PUT_IN_PLACE, 'sh', BUNDLE_PATHS[dir], ...swapped], { ...options, user });
  if (moved.exitCode !== 0) throw new TaskError(`could not put ${swapped.join(', ')} in place in ${plan.bundle}:${BUNDLE_PATHS[dir]}: ${(moved.stderr || moved.stdout).trim()}`, { code: 'COPY_FAILED', transient: true });
}

/** The files at the top of a host directory (mirror.ts's topFiles) that `keep` names, as entries. */
async function topEntries(dir: string, keep: (name: string) => boolean): Promise<GuestEntry[]> {
  const kept = (await topFiles(dir)).filter((e) => keep(e.path));
  return Promise.all(kept.map(async (e) => ({ path: e.path, content: await readFile(e.full), mode: e.mode & 0o777 })));
}

async function pull(backend: Backend, plan: BottlePlan, which: PulledDir, options: OpOptions): Promise<void> {
  const files = bottleFiles(plan.stateDir);
  const guest = which === 'git' ? `${BUNDLE_PATHS.git}/${plan.gate.repo}` : BUNDLE_PATHS[which];
  const host = which === 'git' ? gateRepoOf(plan) : which === 'logs' ? files.egressDir : files.superviseDir;
  await mkdir(dirname(host), { recursive: true });
  // Beside where it goes: the tree moves into place by rename.
  const staging = await mkdtemp(join(dirname(host), '.bottle-pull-'));
  try {
    const archive = join(staging, 'tree.tar');
    try {
      await streamTreeOut(backend, plan.bundle, guest, archive, { user: bundleUser(), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof TaskError && error.code === 'NO_SUCH_PATH') return;
      throw error;
    }
    await mkdir(join(staging, 'tree'));
    const { path } = await extractTree(createReadStream(archive), join(staging, 'tree'));
    if (which === 'git') await replaceTree(path, host, join(staging, 'old'));
    else await mirrorFiles(path, host, which === 'supervise' ? (name) => name === MESSAGES_FILE : () => true);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
