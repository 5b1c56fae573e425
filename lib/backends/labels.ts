/**
 * The labels every object of a bottle carries (its machines and its
 * network), spelled once: they say which bottle an object is and which state
 * root holds that bottle's records, so `bottle doctor` can tell ours from
 * anyone's without trusting names. (Machines add `bot-bottle.role`, from
 * their task, and `bot-bottle.config`, reuse.ts.) It does not read or set
 * labels: plans (lib/plan/build-plan.ts) put them on specs and backends
 * pass them on.
 */

/** The bottle's slug (`<agent>-<5 chars>`). */
export const SLUG_LABEL = 'bot-bottle.slug';
/** The bottle's agent name. */
export const AGENT_LABEL = 'bot-bottle.agent';
/** The absolute path of the state root whose `<root>/<slug>` holds the bottle's records. Objects made before it existed carry none. */
export const STATE_ROOT_LABEL = 'bot-bottle.state-root';

/** A machine's part in its bottle: `agent` or `bundle` (set from its task). */
export const ROLE_LABEL = 'bot-bottle.role';

/** The labels of every object of the bottle `slug` of `agent`, kept in `stateRoot`. */
export function bottleLabels(slug: string, agent: string, stateRoot: string): Record<string, string> {
  return { [SLUG_LABEL]: slug, [AGENT_LABEL]: agent, [STATE_ROOT_LABEL]: stateRoot };
}

/** The kind of package cache a volume holds (`npm`); such a volume belongs to a manifest, not to one bottle. */
export const CACHE_LABEL = 'bot-bottle.cache';
/** The manifest whose bottles share a cache volume. */
export const MANIFEST_LABEL = 'bot-bottle.manifest';

/** The labels of a cache volume of `kind`, shared by the bottles of `manifest` kept in `stateRoot`. */
export function cacheLabels(kind: string, manifest: string, stateRoot: string): Record<string, string> {
  return { [CACHE_LABEL]: kind, ...cacheVolumeLabels(manifest, stateRoot) };
}

/** What every cache volume of `manifest` (kept in `stateRoot`) carries, whatever its kind. */
export function cacheVolumeLabels(manifest: string, stateRoot: string): Record<string, string> {
  return { [MANIFEST_LABEL]: manifest, [STATE_ROOT_LABEL]: stateRoot };
}
