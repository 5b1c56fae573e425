/**
 * lib/manifest: find, read, validate and normalise a bottle manifest
 * (bottle.yaml, bottle.yml or bottle.json). Downstream code takes the
 * normalised `Manifest` and trusts it; user mistakes are ManifestErrors.
 */
export { loadManifest, type LoadOptions } from './load.js';
export { parseManifest, type ParseOptions } from './parse.js';
export { parseManifestText, formatOf, type ManifestFormat } from './parse-text.js';
export { locateManifest, MANIFEST_FILE_NAMES, type LocateOptions } from './locate.js';
export { manifestJsonSchema } from './json-schema.js';
export { ManifestError, type ManifestErrorCode } from './errors.js';
export { formatPath, TOP_LEVEL, type ManifestIssue } from './issues.js';
export { manifestSchema, type ManifestInput, type ValidManifest } from './schema.js';
export { DISK_MIB, MAX_CPUS, MEMORY_MIB, PIDS } from './bottle-schema.js';
export { formatMiB, MIB_PER_TIB, parseSize, type SizeBounds } from './size.js';
export { parseEgressEntry } from './egress.js';
export { DEFAULT_GUEST_HOME, DEFAULT_PLACEMENT, DEFAULT_SKILLS_DIR, DEFAULT_USER, LOCAL_HOST, MANIFEST_VERSION } from './defaults.js';
export type {
  Agent,
  Bottle,
  EgressRule,
  EgressSettings,
  GitSettings,
  Host,
  HostEngine,
  LoadedManifest,
  Manifest,
  ManifestSource,
  Placement,
} from './types.js';
