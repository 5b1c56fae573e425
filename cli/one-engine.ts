/**
 * Until bottles are placed on a manifest's hosts, `up` and `task` refuse a
 * manifest whose `hosts:` name an engine other than the local one, rather
 * than bring every bottle up here as if it did not: exit 2, nothing run.
 * `bottle hosts` already asks those engines. It does not place anything.
 */
import type { LoadedManifest } from '../lib/manifest/types.js';
import { UsageError } from './usage-error.js';

/** The hosts of the manifest that are not the local engine, in its order. */
export function otherEngines(loaded: LoadedManifest): string[] {
  return Object.values(loaded.manifest.hosts)
    .filter((host) => host.engine.kind !== 'local')
    .map((host) => host.name);
}

export function refuseOtherEngines(loaded: LoadedManifest): void {
  const others = otherEngines(loaded);
  if (others.length === 0) return;
  throw new UsageError(
    `spreading bottles over several Docker Engines is not built yet: host(s) ${others.join(', ')}; ` +
      '`bottle hosts` checks them; remove them from `hosts:` (and any agent\'s `host:` naming them) to bring the bottles up on this engine',
  );
}
