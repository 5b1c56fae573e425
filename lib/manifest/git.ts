/**
 * `git` of a bottle: the host repository the agent works on through the git
 * gate, the refs it may push and the identity of its commits. It checks the
 * shape only; whether `repo` exists is checked when the bottle is prepared.
 */
import * as z from 'zod';
import { expected } from './describe.js';

export const PUSH_PATTERN = /^refs\/[A-Za-z0-9._/*-]+$/;

const pushPatternSchema = z.string().regex(PUSH_PATTERN, {
  error: expected(
    'a ref pattern that starts with "refs/" and uses only letters, digits and . _ / * -',
    'e.g. "refs/heads/agent/*"',
  ),
});

const nonEmpty = z.string().min(1);

export const gitSchema = z
  .strictObject({
    repo: nonEmpty.meta({ description: "Path of a repository on the host, relative to the manifest's directory." }),
    push: z
      .array(pushPatternSchema)
      .optional()
      .meta({ description: 'Ref patterns the agent may push to, e.g. "refs/heads/agent/*"; none by default.' }),
    user: z
      .strictObject({ name: nonEmpty, email: nonEmpty })
      .optional()
      .meta({ description: 'Author and committer of the agent\'s commits.' }),
  })
  .meta({ description: 'The repository the agent works on, through the git gate.' });
