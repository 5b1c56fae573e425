/**
 * `caches` of a bottle: package caches its agents share, one Docker named
 * volume per kind for all the bottles of a manifest (never a host path), at
 * the path the tool uses under the agent's home. It names the kinds and
 * their paths; the plan names the volumes (lib/plan/build-plan.ts) and the
 * Docker backend makes them (lib/backends/docker/volumes.ts).
 */
import * as z from 'zod';

/** Each kind's cache directory, relative to the agent's home. */
export const CACHE_PATHS = {
  npm: '.npm',
  yarn: '.cache/yarn',
  pnpm: '.local/share/pnpm/store',
  pip: '.cache/pip',
  uv: '.cache/uv',
  cargo: '.cargo/registry',
  go: 'go/pkg/mod',
  maven: '.m2/repository',
  gradle: '.gradle/caches',
} as const;

export type CacheKind = keyof typeof CACHE_PATHS;

export const CACHE_KINDS = Object.keys(CACHE_PATHS) as CacheKind[];

export const cachesSchema = z
  .array(z.enum(CACHE_KINDS as [CacheKind, ...CacheKind[]]))
  .max(CACHE_KINDS.length)
  .transform((kinds) => [...new Set(kinds)])
  .meta({ description: `Package caches shared by this manifest's bottles, one Docker volume per kind: ${CACHE_KINDS.join(', ')}.` });
