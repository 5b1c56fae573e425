/**
 * The door of lib/manifest: data already parsed from JSON or YAML in, a
 * normalised `Manifest` out, or a `ManifestError` listing every problem. It
 * reads prompt files and refuses host paths that resolve outside the project
 * (confine.ts); it does not find or parse the manifest file (load.ts).
 */
import { isAbsolute } from 'node:path';
import { confinementOf, bottlePathIssues, hostPathIssues, skillPathIssues, type ConfineOptions } from './confine.js';
import { manifestErrorMap } from './error-map.js';
import { ManifestError } from './errors.js';
import { TOP_LEVEL, toManifestIssues } from './issues.js';
import { normalizeManifest } from './normalize.js';
import { readPromptFiles } from './prompt-files.js';
import { reservedKeyIssues } from './reserved-keys.js';
import { bottleNamesOf, hostNamesOf, manifestSchema } from './schema.js';
import type { Manifest, ManifestSource } from './types.js';

/** `allowOutside`: more directories host paths may resolve into (absolute); `home`: where `~/.claude/skills` is. */
export type ParseOptions = ConfineOptions;

const EMPTY =
  'the manifest is empty; expected an object with "bottles" and "agents", e.g. ' +
  '{"bottles":{"dev":{}},"agents":{"demo":{"bottle":"dev"}}}';

export async function parseManifest(data: unknown, source: ManifestSource, options: ParseOptions = {}): Promise<Manifest> {
  if (!isAbsolute(source.dir)) {
    throw new TypeError(`parseManifest: expected source.dir to be an absolute path, got ${JSON.stringify(source.dir)}`);
  }
  // YAML gives null for an empty file or one holding only comments.
  if (data === null || data === undefined) throw ManifestError.invalid(source.path, [{ path: TOP_LEVEL, message: EMPTY }]);

  const schema = manifestSchema({ bottleNames: bottleNamesOf(data), hostNames: hostNamesOf(data) });
  const result = schema.safeParse(data, { error: manifestErrorMap });
  // zod drops `__proto__` keys silently: found in the raw data, they are reported with the rest.
  const reserved = reservedKeyIssues(data);
  if (!result.success || reserved.length > 0) {
    throw ManifestError.invalid(source.path, [...reserved, ...(result.success ? [] : toManifestIssues(result.error.issues))]);
  }

  const confinement = await confinementOf(source.dir, options);
  const prompts = await readPromptFiles(result.data.agents, source.dir, confinement);
  const manifest = normalizeManifest(result.data, source, prompts.files);
  const issues = [...(await skillPathIssues(manifest, confinement)), ...(await bottlePathIssues(manifest, confinement)), ...(await hostPathIssues(manifest, confinement)), ...prompts.issues];
  if (issues.length > 0) throw ManifestError.invalid(source.path, issues);
  return manifest;
}
