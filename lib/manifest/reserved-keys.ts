/**
 * A `__proto__` key where a manifest names things (`bottles`, `agents`,
 * `hosts`, `limits`, an `env`): zod leaves such a key out of what it returns without a
 * word, so a bottle named `__proto__` would pass validation and be missing
 * when planned. They are found in the raw data and refused, each at its path.
 * Under fixed keys (`egress`, `git`...) zod reports `__proto__` itself, as an
 * unknown key.
 */
import { nameMessage } from './names.js';
import { formatPath, type ManifestIssue } from './issues.js';

const KEY = '__proto__';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The named maps of `data`, where a key is a name the manifest chooses, with their paths. */
function namedMaps(data: Record<string, unknown>): [(string | number)[], unknown][] {
  const maps: [(string | number)[], unknown][] = [[['bottles'], data.bottles], [['agents'], data.agents], [['limits'], data.limits], [['hosts'], data.hosts]];
  for (const kind of ['bottles', 'agents']) {
    const named = data[kind];
    if (!isPlainObject(named)) continue;
    for (const [name, value] of Object.entries(named)) if (isPlainObject(value)) maps.push([[kind, name, 'env'], value.env]);
  }
  return maps;
}

export function reservedKeyIssues(data: unknown): ManifestIssue[] {
  if (!isPlainObject(data)) return [];
  return namedMaps(data)
    .filter(([, map]) => isPlainObject(map) && Object.hasOwn(map, KEY))
    .map(([path]) => ({
      path: formatPath([...path, KEY]),
      message:
        path.length === 1 && path[0] !== 'limits'
          ? nameMessage(path[0] === 'bottles' ? 'bottle' : path[0] === 'hosts' ? 'host' : 'agent', KEY)
          : `${JSON.stringify(KEY)} cannot be used as a name here (JavaScript reserves it); rename it`,
    }));
}
