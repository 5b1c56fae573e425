/**
 * The base image the agent and bundle images build FROM. With
 * `BOTTLE_BASE_IMAGE` set, that image (pulled if missing). Otherwise
 * `debian:bookworm-slim` where the engine has it or a registry answers a
 * pull within `PULL_ANSWER_MS`; else `bot-bottle/base:bookworm`, made where
 * no registry is reachable: a debootstrap minbase rootfs imported through
 * the Engine API. `BOTTLE_OFFLINE=1` skips the pull (no registry is asked).
 * Which one and why goes to the task's log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { TaskError } from '../engine/index.js';
import { imageExists, importImage, pullImage } from '../docker/images.js';
import { run } from '../process/run.js';
import type { OpOptions } from '../process/op-options.js';
import { debianMirror } from './debian-mirror.js';

export { imageExists };
import { ensureDir } from '../state/root.js';

export const BUILT_BASE = 'bot-bottle/base:bookworm';
/** Tried first without BOTTLE_BASE_IMAGE: Debian's own image, where a registry answers. */
export const REGISTRY_BASE = 'debian:bookworm-slim';
/** How long a pull of REGISTRY_BASE may go without a word from its registry before the debootstrap fallback. */
export const PULL_ANSWER_MS = 20_000;

/** What is tried without BOTTLE_BASE_IMAGE, in order (tests name images of their own). */
export interface BaseChoice {
  /** A registry's image: used if present or pulled. */
  registry: string;
  pullAnswerMs: number;
  /** The image made from a debootstrap rootfs. */
  built: string;
}

export const DEFAULT_BASE_CHOICE: BaseChoice = { registry: REGISTRY_BASE, pullAnswerMs: PULL_ANSWER_MS, built: BUILT_BASE };

/** The base's name as records and dry runs know it, before the engine is asked: BOTTLE_BASE_IMAGE, else the debootstrap image's. */
export function baseImageName(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOTTLE_BASE_IMAGE || BUILT_BASE;
}

export async function ensureBaseImage(cache: string, options: OpOptions, choice: BaseChoice = DEFAULT_BASE_CHOICE, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const say = (line: string) => options.log?.(line);
  const wanted = env.BOTTLE_BASE_IMAGE;
  if (wanted) {
    if (await imageExists(wanted, options)) {
      say(`base image: ${wanted} (BOTTLE_BASE_IMAGE), present on the engine`);
      return wanted;
    }
    await pullImage(wanted, options);
    say(`base image: ${wanted} (BOTTLE_BASE_IMAGE), pulled`);
    return wanted;
  }
  if (await imageExists(choice.registry, options)) {
    say(`base image: ${choice.registry}, present on the engine`);
    return choice.registry;
  }
  // No registry here (BOTTLE_OFFLINE=1: CI, air-gapped machines): do not even ask.
  const pull = env.BOTTLE_OFFLINE === '1' ? { pulled: false as const, why: 'BOTTLE_OFFLINE=1: no registry is asked' } : await pullWithin(choice.registry, choice.pullAnswerMs, options);
  if (pull.pulled) {
    say(`base image: ${choice.registry}, pulled in ${pull.seconds} s`);
    return choice.registry;
  }
  const why = `${choice.registry} could not be pulled (${pull.why})`;
  if (await imageExists(choice.built, options)) {
    say(`base image: ${choice.built}, a debootstrap rootfs made before: ${why}`);
    return choice.built;
  }
  say(`base image: ${choice.built}, from a debootstrap rootfs made now: ${why}`);
  await debootstrapImage(cache, choice.built, why, options);
  return choice.built;
}

/**
 * Pulls `name` unless its registry says nothing within `answerMs` (the first
 * progress line: the registry answered; then the download takes what it
 * takes). A registry's refusal is not retried. Only the caller's signal throws.
 */
async function pullWithin(name: string, answerMs: number, options: OpOptions): Promise<{ pulled: true; seconds: string } | { pulled: false; why: string }> {
  const started = Date.now();
  const silent = new AbortController();
  const timer = setTimeout(() => silent.abort(), answerMs);
  const signal = options.signal ? AbortSignal.any([options.signal, silent.signal]) : silent.signal;
  const log = (line: string) => {
    clearTimeout(timer);
    options.log?.(line);
  };
  try {
    await pullImage(name, { signal, log }, 'if-unsent');
    return { pulled: true, seconds: ((Date.now() - started) / 1000).toFixed(1) };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (silent.signal.aborted) return { pulled: false, why: `no answer from its registry within ${answerMs / 1000} s` };
    return { pulled: false, why: pullFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** What the engine said of a failed pull: a stream call's answer is in its error's message (`(HTTP code 500) server error - Get "https://...": dial tcp ...`), not its json. */
function pullFailure(error: unknown): string {
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const said = /^\(HTTP code \d+\) [^-]* - ([\s\S]+)$/.exec(e.message ?? '')?.[1]?.replace(/\s+/g, ' ').trim();
    if (said) return said;
  }
  return error instanceof Error ? error.message : String(error);
}

async function debootstrapImage(cache: string, tag: string, pullFailure: string, options: OpOptions): Promise<void> {
  const mirror = debianMirror();
  if (!mirror) {
    throw new TaskError(`${pullFailure}, and no Debian mirror found for debootstrap: set BOTTLE_DEBIAN_MIRROR, or BOTTLE_BASE_IMAGE to a Debian bookworm image`, {
      code: 'NO_MIRROR',
    });
  }
  await ensureDir(cache);
  const rootfs = await mkdtemp(join(cache, 'rootfs-'));
  try {
    const boot = await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], options);
    if (boot.exitCode !== 0) {
      const why = boot.exitCode === -1 ? 'debootstrap is not installed (apt-get install debootstrap)' : boot.stderr.trim().split('\n').at(-1);
      throw new TaskError(`${pullFailure}, and could not build the base rootfs: ${why}; make a registry reachable, or set BOTTLE_BASE_IMAGE to a Debian bookworm image`, {
        code: 'DEBOOTSTRAP_FAILED',
      });
    }
    // Not buffered: the rootfs stream (200 MB) goes only to docker's stdin.
    const tar = execa('tar', ['-C', rootfs, '-c', '.'], { cancelSignal: options.signal, reject: false, stdin: 'ignore', buffer: { stdout: false } });
    await Promise.all([importImage(tar.stdout!, tag, ['CMD ["bash"]'], options), tar]);
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
}
