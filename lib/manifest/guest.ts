/**
 * Who the agent is inside the guest and where its home is: `user` and
 * `guestHome` of a bottle. The user must not be root: Claude Code refuses
 * `--dangerously-skip-permissions` as root, so a root bottle could never run
 * the agent. It does not check that the user or the home exist in the image.
 */
import { posix } from 'node:path';
import * as z from 'zod';
import { DEFAULT_GUEST_HOME, DEFAULT_USER } from './defaults.js';
import { describeValue, expected } from './describe.js';
import { systemString } from './system-strings.js';

/** A login name (as useradd accepts) or a numeric uid. */
const USER = /^(?:[a-z_][a-z0-9_-]{0,31}|\d+)$/i;

/** What is wrong with `user`, as a message; undefined when it is fine. */
export function userProblem(user: string): string | undefined {
  if (user === 'root' || /^0+$/.test(user)) {
    return (
      `expected a non-root user, got ${describeValue(user)}: Claude Code refuses ` +
      '--dangerously-skip-permissions as root; use a non-root user of the image, such as "node"'
    );
  }
  if (!USER.test(user)) return `expected a user name or a numeric uid (e.g. "node" or "1000"), got ${describeValue(user)}`;
  return undefined;
}

export const guestUserSchema = z
  .string()
  .superRefine((user, ctx) => {
    const problem = userProblem(user);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: user });
  })
  .meta({ description: 'The non-root guest user the agent runs as (name or uid).', default: DEFAULT_USER });

/**
 * `/home//x/` -> `/home/x`. normalize.ts applies it: as a zod transform it would
 * drop the default from the JSON Schema, which zod omits for transformed inputs.
 */
export function normalizeGuestPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

export const guestHomeSchema = systemString(
  z.string().regex(/^\//, { error: expected('an absolute path in the guest (starting with "/")', 'e.g. "/home/node"') }),
)
  .meta({ description: "The guest user's home directory, an absolute path.", default: DEFAULT_GUEST_HOME });
