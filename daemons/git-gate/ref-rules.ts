/**
 * Which refs a bottle may push to: each pattern is a full ref name in which
 * `*` matches any run of characters, `/` included
 * (`refs/heads/bottle/a-1/*` takes `refs/heads/bottle/a-1/fix/typo`).
 * Nothing else is special. An empty list allows no ref. It does not decide
 * what else makes a push acceptable (push-policy.ts does).
 */

export interface RefRules {
  readonly patterns: readonly string[];
  allows(ref: string): boolean;
}

/** What a pattern must look like: a ref under `refs/`, printable ASCII with no space. */
export const REF_PATTERN_SHAPE = /^refs\/[\x21-\x7e]+$/;

export function createRefRules(patterns: readonly string[]): RefRules {
  const compiled = patterns.map(compileRefPattern);
  return { patterns, allows: (ref) => compiled.some((regex) => regex.test(ref)) };
}

export function compileRefPattern(pattern: string): RegExp {
  const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 's');
}

/** An example ref a pattern allows, for advice: `*` becomes `<name>`. */
export function exampleRef(pattern: string): string {
  return pattern.replaceAll('*', '<name>');
}
