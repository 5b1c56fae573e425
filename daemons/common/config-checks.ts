/**
 * The field checks config.ts builds its sections from: each returns the value
 * when it is what was expected, or records one problem sentence naming the
 * field, what was expected and what it got, and returns undefined, so every
 * problem of a config is found in one pass. Every daemon's config uses it;
 * it knows no field of any.
 */

export interface Checks {
  /** One sentence per bad field, in the order found. */
  readonly problems: string[];
  /** Records that `field` is not `expected`; returns undefined for `return fail(...)`. */
  fail(field: string, expected: string, got: unknown): undefined;
  /**
   * A plain object whose keys are all `known`; unknown keys are problems (a
   * typo must not pass silently). Without `known`, any key is taken.
   */
  object(value: unknown, field: string, known?: readonly string[]): Record<string, unknown> | undefined;
  array(value: unknown, field: string): readonly unknown[] | undefined;
  text(value: unknown, field: string): string | undefined;
  /** A string that starts with `/`. */
  absolutePath(value: unknown, field: string): string | undefined;
  /** An integer from `min` to `max`; `orElse` adds to the expectation (`' or null (...)'`). */
  integer(value: unknown, field: string, min: number, max: number, orElse?: string): number | undefined;
}

export function createChecks(): Checks {
  const problems: string[] = [];
  const fail = (field: string, expected: string, got: unknown): undefined => {
    problems.push(`\`${field}\`: expected ${expected}, got ${describe(got)}.`);
    return undefined;
  };
  return {
    problems,
    fail,
    object(value, field, known) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(field, 'an object', value);
      const record = value as Record<string, unknown>;
      const prefix = field === '(root)' ? '' : `${field}.`;
      for (const key of Object.keys(record)) {
        if (known && !known.includes(key)) problems.push(`\`${prefix}${key}\`: unknown field; valid fields are ${known.join(', ')}.`);
      }
      return record;
    },
    array(value, field) {
      return Array.isArray(value) ? value : fail(field, 'an array', value);
    },
    absolutePath(value, field) {
      return typeof value === 'string' && value.startsWith('/') ? value : fail(field, 'an absolute path (starting with /)', value);
    },
    text(value, field) {
      return typeof value === 'string' && value.trim().length > 0 ? value : fail(field, 'a non-empty string', value);
    },
    integer(value, field, min, max, orElse = '') {
      return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
        ? value
        : fail(field, `an integer from ${min} to ${max}${orElse}`, value);
    },
  };
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}
