/**
 * The zod schema of a whole manifest, as a user writes it. Every object is
 * strict (an unknown key is an error, most often a typo). It validates and
 * normalises values but fills in no defaults: normalize.ts does, in one place.
 */
import * as z from 'zod';
import { agentSchema } from './agent-schema.js';
import { bottleSchema } from './bottle-schema.js';
import { DEFAULT_SKILLS_DIR, MANIFEST_VERSION } from './defaults.js';
import { nameSchema } from './names.js';
import { limitsSchema } from './limits.js';
import { hostsSchema, placementSchema } from './hosts.js';
import { hostPathSchema } from './system-strings.js';

export interface ManifestSchemaOptions {
  /**
   * The bottles agents may name, taken from the data being checked. Without
   * it (for the JSON Schema) an agent's `bottle` is any string.
   */
  bottleNames?: readonly string[];
  /** The hosts agents may pin to (`host:`), taken from the data; without it any string. */
  hostNames?: readonly string[];
}

/** A record with at least one entry, reported as `expected at least one <kind>`. */
function atLeastOne<T extends z.ZodType>(record: T, kind: string, example: string) {
  return record
    .refine((value) => Object.keys(value as object).length > 0, {
      error: `expected at least one ${kind}, got none; add one, e.g. ${example}`,
    })
    .meta({ minProperties: 1 });
}

export function manifestSchema(options: ManifestSchemaOptions = {}) {
  return z
    .strictObject({
      $schema: z.string().optional().meta({ description: 'The JSON Schema of this file, for editors; ignored.' }),
      version: z.literal(MANIFEST_VERSION).optional().meta({ default: MANIFEST_VERSION }),
      skillsDir: hostPathSchema()
        .optional()
        .meta({ description: "Where skills are looked up first, relative to the manifest's directory.", default: DEFAULT_SKILLS_DIR }),
      limits: limitsSchema.optional(),
      hosts: hostsSchema(nameSchema('host')).optional(),
      placement: placementSchema.optional(),
      bottles: atLeastOne(z.record(nameSchema('bottle'), bottleSchema), 'bottle', '"bottles: { dev: {} }"').meta({
        description: 'The machines agents run in, by name.',
      }),
      agents: atLeastOne(
        z.record(nameSchema('agent'), agentSchema(options.bottleNames, options.hostNames)),
        'agent',
        '"agents: { demo: { bottle: dev } }"',
      ).meta({ description: 'The agents, by name; each runs in one bottle.' }),
    })
    .superRefine((manifest, ctx) => {
      // A literal value under a credential's placeholder name would hand the agent what the proxy keeps from it.
      const placeholders = (bottle: string) => new Set((manifest.bottles[bottle]?.egress?.credentials ?? []).flatMap((c) => (c.placeholderEnv ? [c.placeholderEnv] : [])));
      const refuse = (path: (string | number)[], name: string) =>
        ctx.addIssue({ code: 'custom', path, message: `${name} is the placeholder of a credential the proxy sets (egress.credentials[].placeholderEnv); remove it from env, the agent gets "bottle-placeholder" there` });
      for (const [name, bottle] of Object.entries(manifest.bottles)) {
        for (const key of Object.keys(bottle.env ?? {})) if (placeholders(name).has(key)) refuse(['bottles', name, 'env', key], key);
      }
      for (const [name, agent] of Object.entries(manifest.agents)) {
        for (const key of Object.keys(agent.env ?? {})) if (placeholders(agent.bottle).has(key)) refuse(['agents', name, 'env', key], key);
      }
    })
    .meta({ title: 'bottle manifest', description: 'Bottles (sandboxes) and the coding agents that run in them.' });
}

export type ManifestSchema = ReturnType<typeof manifestSchema>;
/** What a user may write. */
export type ManifestInput = z.input<ManifestSchema>;
/** What the schema returns: valid, values normalised, defaults not yet filled in. */
export type ValidManifest = z.output<ManifestSchema>;

/**
 * The names under `bottles` in raw data, valid or not. Undefined when there are
 * none: then `bottles` is reported, and agents' bottles are not checked against it.
 */
export function bottleNamesOf(data: unknown): string[] | undefined {
  if (!isPlainObject(data) || !isPlainObject(data.bottles)) return undefined;
  const names = Object.keys(data.bottles);
  return names.length === 0 ? undefined : names;
}

/**
 * The names under `hosts` in raw data: none when there is no `hosts` (a
 * `host:` pin is then refused), undefined when `hosts` is not an object
 * (that is reported, and pins are not checked against it).
 */
export function hostNamesOf(data: unknown): string[] | undefined {
  if (!isPlainObject(data) || data.hosts === undefined) return [];
  return isPlainObject(data.hosts) ? Object.keys(data.hosts) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
