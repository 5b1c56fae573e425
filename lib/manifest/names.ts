/**
 * Names the manifest chooses: bottles and agents (which end up in Docker and
 * smolvm machine names, hence the strict rule), hosts (the same rule, so a
 * host's name can be part of a machine's), environment variables and
 * skills. Each rule comes as a pattern, for the JSON Schema, and a zod schema
 * whose message says what is wrong and, for bottles and agents, suggests a fix.
 */
import * as z from 'zod';
import { expected, quote } from './describe.js';

export const NAME_MAX_LENGTH = 40;

/** Bottle and agent names: every rule in one pattern, so the JSON Schema carries all of them. */
export const NAME_PATTERN = /^(?=.{1,40}$)(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SKILL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export type NameKind = 'bottle' | 'agent' | 'host';

/** Which rule a bottle or agent name breaks, as an instruction; undefined when it is valid. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'give it at least one character';
  if (/[^a-z0-9-]/.test(name)) return 'use only lower-case letters, digits and "-"';
  if (name.startsWith('-') || name.endsWith('-')) return 'start and end it with a letter or digit';
  if (name.includes('--')) return 'do not use "--"';
  if (name.length > NAME_MAX_LENGTH) return `use at most ${NAME_MAX_LENGTH} characters (it has ${name.length})`;
  return undefined;
}

/** The nearest valid name (`My_Bot` -> `my-bot`), or undefined when there is none or it is the same. */
export function suggestName(name: string): string | undefined {
  const suggestion = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, NAME_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return suggestion !== '' && suggestion !== name ? suggestion : undefined;
}

/** The message for an invalid bottle or agent name. */
export function nameMessage(kind: NameKind, name: string): string {
  const problem = nameProblem(name) ?? 'it is not a valid name';
  const suggestion = suggestName(name);
  return (
    `invalid ${kind} name ${quote(name)}: ${problem} ` +
    (kind === 'host' ? '(host names follow the rule of bottle and agent names)' : `(${kind} names become part of Docker and smolvm machine names)`) +
    (suggestion === undefined ? '' : `; try ${quote(suggestion)}`)
  );
}

/** A bottle or agent name, as a record key. */
export function nameSchema(kind: NameKind) {
  return z
    .string()
    .regex(NAME_PATTERN, { error: (issue) => nameMessage(kind, String(issue.input)) })
    .meta({
      description: `The ${kind}'s name: lower-case letters, digits and "-", at most ${NAME_MAX_LENGTH} characters.`,
    });
}

/** An environment variable name, as a record key. */
export const envNameSchema = z.string().regex(ENV_NAME_PATTERN, {
  error: (issue) =>
    `invalid environment variable name ${quote(String(issue.input))}: ` +
    'use letters, digits and "_", and do not start with a digit',
});

/** A skill name: a directory name, never a path. */
export const skillNameSchema = z.string().regex(SKILL_NAME_PATTERN, {
  error: expected('a skill name (letters, digits, ".", "_" and "-", starting with a letter or digit)'),
});
