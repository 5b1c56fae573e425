/**
 * Which base image `ensureBaseImage` picks, against the real dockerd, with
 * no traffic off this machine: the registry image is one of the test's own
 * names (never debian:bookworm-slim, which other runs on this engine would
 * then pick up), served by a registry on 127.0.0.1 or by nothing.
 *
 * - present: the engine has the registry image (a tag of the local
 *   debootstrap base under the test's name): used, no pull;
 * - pulled: the local registry serves it: pulled and used;
 * - fallback: the registry never answers (cut off at the short timeout) or
 *   refuses: the debootstrap image (here one made before: a tag of the
 *   local one) is used, and the log says why;
 * - BOTTLE_BASE_IMAGE wins over a present registry image.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_BASE, ensureBaseImage, type BaseChoice } from '../../lib/images/base-image.js';
import { enginePlatform } from '../../lib/images/platform.js';
import { dockerOut } from '../helpers/docker.js';
import { serveImage, silentRegistry, type LocalRegistry } from '../helpers/local-registry.js';
import { closedPort } from '../helpers/closed-port.js';

const id = randomBytes(4).toString('hex');
const PRESENT = `bottle-test-base-${id}/registry:bookworm-slim`;
const BUILT = `bottle-test-base-${id}/built:bookworm`;
const REPO = `bottle-test-${id}/debian`;
const ABSENT = `bottle-test-base-${id}/absent:none`;
const made: string[] = [];
const registries: LocalRegistry[] = [];

beforeAll(async () => {
  const has = await dockerOut(['image', 'inspect', BUILT_BASE]);
  if (has.exitCode !== 0) throw new Error(`${BUILT_BASE} is needed on the local engine (bottle up builds it)`);
  for (const tag of [PRESENT, BUILT]) {
    const r = await dockerOut(['tag', BUILT_BASE, tag]);
    if (r.exitCode !== 0) throw new Error(r.stderr);
    made.push(tag);
  }
});

afterAll(async () => {
  for (const registry of registries) await registry.close();
  // Tags only: the images under them (the debootstrap base) stay.
  if (made.length > 0) await dockerOut(['image', 'rm', ...made]);
});

async function pick(choice: BaseChoice, env: NodeJS.ProcessEnv = {}): Promise<{ image: string; log: string[]; ms: number }> {
  const log: string[] = [];
  const started = Date.now();
  const image = await ensureBaseImage('/nonexistent-cache', { log: (line) => log.push(line) }, choice, env);
  return { image, log, ms: Date.now() - started };
}

describe('ensureBaseImage', () => {
  it('uses the registry image when the engine has it, pulling nothing', async () => {
    const got = await pick({ registry: PRESENT, pullAnswerMs: 2_000, built: ABSENT });
    expect(got.image).toBe(PRESENT);
    expect(got.log).toEqual([`base image: ${PRESENT}, present on the engine`]);
  });

  it('pulls the registry image when a registry answers, and uses it', async () => {
    const registry = await serveImage(REPO, 'bookworm-slim', await enginePlatform());
    registries.push(registry);
    const image = `${registry.host}/${REPO}:bookworm-slim`;
    made.push(image);
    const got = await pick({ registry: image, pullAnswerMs: 10_000, built: ABSENT });
    expect(got.image).toBe(image);
    expect(got.log.at(-1)).toMatch(new RegExp(`^base image: ${image.replace(/[.]/g, '\\.')}, pulled in \\d+\\.\\d s$`));
    expect(registry.requests).toContainEqual(expect.stringMatching(new RegExp(`^(GET|HEAD) /v2/${REPO}/manifests/bookworm-slim$`)));
    expect((await dockerOut(['image', 'inspect', image])).exitCode).toBe(0);
  });

  it('falls back to the debootstrap image when the registry says nothing within the timeout', async () => {
    const silent = await silentRegistry();
    registries.push(silent);
    const got = await pick({ registry: `${silent.host}/${REPO}:bookworm-slim`, pullAnswerMs: 1_500, built: BUILT });
    expect(got.image).toBe(BUILT);
    expect(got.log.at(-1)).toBe(`base image: ${BUILT}, a debootstrap rootfs made before: ${silent.host}/${REPO}:bookworm-slim could not be pulled (no answer from its registry within 1.5 s)`);
    expect(silent.requests.length).toBeGreaterThan(0);
    expect(got.ms).toBeLessThan(6_000);
  });

  it('falls back to the debootstrap image at once when no registry is there, saying what the engine said', async () => {
    const registry = `127.0.0.1:${await closedPort()}/${REPO}:bookworm-slim`;
    const got = await pick({ registry, pullAnswerMs: 20_000, built: BUILT });
    expect(got.image).toBe(BUILT);
    expect(got.log.at(-1)).toMatch(new RegExp(`^base image: ${BUILT}, a debootstrap rootfs made before: .* could not be pulled \\(Get "https?://127\\.0\\.0\\.1:\\d+/v2/": .*connection refused\\)$`));
    expect(got.ms).toBeLessThan(5_000);
  });

  it('takes BOTTLE_BASE_IMAGE over everything else', async () => {
    const got = await pick({ registry: PRESENT, pullAnswerMs: 2_000, built: ABSENT }, { BOTTLE_BASE_IMAGE: BUILT });
    expect(got.image).toBe(BUILT);
    expect(got.log).toEqual([`base image: ${BUILT} (BOTTLE_BASE_IMAGE), present on the engine`]);
  });
});
