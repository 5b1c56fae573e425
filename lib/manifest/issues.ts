/**
 * Zod issues as manifest issues: a path in the dot form a user can find in
 * the file (`agents.demo.bottle`, `bottles.dev.egress.allow[2]`) and the
 * message the error map gave. It does not choose messages; error-map.ts does.
 */
import type * as z from 'zod';

export interface ManifestIssue {
  /** Dot path of the offending value, or `(top level)`. */
  path: string;
  message: string;
}

export const TOP_LEVEL = '(top level)';

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/** `['bottles', 'dev', 'egress', 'allow', 2]` -> `bottles.dev.egress.allow[2]`; odd keys are quoted: `env["A B"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === '' ? TOP_LEVEL : text;
}

export function toManifestIssues(issues: readonly z.core.$ZodIssue[]): ManifestIssue[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}
