/**
 * The last resort of the cleanup, after `bottle down --purge`: bottle's
 * containers and networks of the bench's slugs, should down have left any,
 * and a network of no slug (the bundles' shared one) that appeared during
 * the bench with bottle's containers on it, once no container is on it: a
 * busy one is someone else's now and stays.
 */
import { SLUG_LABEL } from './inspect.js';
import { mustRun, timed } from './timing.js';

/** What bottle made in this bench: its slugs, and the networks its containers were on that were not there before. */
export interface Made {
  slugs: Set<string>;
  networks: Set<string>;
}

export async function sweepBottles(made: Made, log: (line: string) => void): Promise<void> {
  for (const [kind, what, rm] of [
    [['ps', '--all'], 'containers', ['rm', '--force', '--volumes']],
    [['network', 'ls'], 'networks', ['network', 'rm']],
  ] as const) {
    const r = await mustRun('docker', [...kind, '--filter', `label=${SLUG_LABEL}`, '--format', `{{.ID}} {{.Label "${SLUG_LABEL}"}}`]);
    const ids = r.stdout.split('\n').map((l) => l.split(' ')).filter(([id, slug]) => id && made.slugs.has(slug ?? '')).map(([id]) => id!);
    if (ids.length === 0) continue;
    log(`cleanup: removing ${ids.length} ${what} bottle down left`);
    await timed('docker', [...rm, ...ids]);
  }
  if (made.networks.size === 0) return;
  // One that is gone already is simply not listed.
  const r = await timed('docker', ['network', 'inspect', '--format', '{{.Id}} {{.Name}} {{len .Containers}}', ...made.networks]);
  for (const [id, name, attached] of r.stdout.split('\n').filter(Boolean).map((l) => l.split(' '))) {
    if (attached !== '0') continue;
    log(`cleanup: removing the network ${name}, which bottle made during the bench and left`);
    await timed('docker', ['network', 'rm', id!]);
  }
}
