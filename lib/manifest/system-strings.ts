/**
 * Strings a manifest hands to the host system: host paths (`skillsDir`,
 * `promptFile`, `git.repo`, credential files, `upstreamCa`) and text that ends
 * up in a machine's environment or a command line (env values, `image`,
 * `guestHome`, `git.user`). None may hold a NUL character, which no system
 * call or exec takes, and a host path has at most 4096 characters (PATH_MAX):
 * both are refused here, at their place in the manifest, rather than by a
 * system call at `up` (or by a slow walk up a path no file can have). Whether
 * a path exists, and where it resolves, are checked elsewhere (confine.ts,
 * prompt-files.ts, the plan's preflight).
 */
import * as z from 'zod';
import { quote } from './describe.js';

/** Linux's PATH_MAX: no system call takes a longer path. */
export const MAX_HOST_PATH = 4096;

function nulProblem(text: string): string | undefined {
  return text.includes('\0') ? `expected text without a NUL character, got ${quote(text)}` : undefined;
}

/** What is wrong with a host path, or undefined. */
export function hostPathProblem(path: string): string | undefined {
  if (path.length > MAX_HOST_PATH) return `expected a path of at most ${MAX_HOST_PATH} characters, got ${path.length} (${quote(path)})`;
  return nulProblem(path);
}

function checked(schema: z.ZodString, problemOf: (text: string) => string | undefined) {
  return schema.superRefine((text, ctx) => {
    const problem = problemOf(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
  });
}

/** A string without NUL; `schema` (a plain string by default) may check more. */
export function systemString(schema: z.ZodString = z.string()) {
  return checked(schema, nulProblem);
}

/** A non-empty host path, without NUL, at most MAX_HOST_PATH characters. */
export function hostPathSchema() {
  return checked(z.string().min(1), hostPathProblem);
}
