/**
 * The zod error map of manifest parsing: one message per zod 4 issue code, in
 * the words of this project (`expected a number, got string ("two")`). Checks
 * that carry their own message (names, egress entries, memory...) keep it; zod
 * asks this map only for the rest. It knows nothing of paths or files.
 */
import type * as z from 'zod';
import { describeValue, orList, quote } from './describe.js';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  undefined: 'nothing',
};

function typeWord(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

/** A value as written: strings quoted, numbers and booleans bare, anything else by type. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return describeValue(value);
}

/** The keys a strict object allows, read from the object schema that reported the issue. */
function allowedKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape === undefined ? [] : Object.keys(shape);
}

function sizeOf(value: unknown): number | undefined {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return undefined;
}

function tooSmall(issue: Extract<RawIssue, { code: 'too_small' }>): string {
  const { origin, minimum, inclusive, input } = issue;
  switch (origin) {
    case 'string':
      return Number(minimum) <= 1
        ? `expected a non-empty string, got ""`
        : `expected at least ${minimum} characters, got ${sizeOf(input)} (${showValue(input)})`;
    case 'array':
    case 'set':
      return `expected at least ${minimum} item${Number(minimum) === 1 ? '' : 's'}, got ${sizeOf(input) ?? 0}`;
    default:
      return `expected a number ${inclusive ? 'of at least' : 'greater than'} ${minimum}, got ${showValue(input)}`;
  }
}

function tooBig(issue: Extract<RawIssue, { code: 'too_big' }>): string {
  const { origin, maximum, inclusive, input } = issue;
  switch (origin) {
    case 'string':
      return `expected at most ${maximum} characters, got ${sizeOf(input)} (${showValue(input)})`;
    case 'array':
    case 'set':
      return `expected at most ${maximum} item${Number(maximum) === 1 ? '' : 's'}, got ${sizeOf(input)}`;
    default:
      return `expected a number ${inclusive ? 'of at most' : 'less than'} ${maximum}, got ${showValue(input)}`;
  }
}

/**
 * No branch of a union matched. When every branch failed on the type alone
 * (`memory: true`), say which types would do; else repeat the messages of the
 * branches that got further than the type.
 */
function noUnionMatch(issue: Extract<RawIssue, { code: 'invalid_union' }>): string | undefined {
  const branches = issue.errors;
  const typeOnly = branches.every(
    (branch) => branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0,
  );
  if (typeOnly && branches.length > 0) {
    const types = branches.map((branch) => typeWord((branch[0] as z.core.$ZodIssueInvalidType).expected));
    return `expected ${orList(types)}, got ${describeValue(issue.input)}`;
  }
  const further = branches.filter((branch) => branch.some((inner) => inner.code !== 'invalid_type'));
  return further.length === 0 ? undefined : further.flatMap((branch) => branch.map((inner) => inner.message)).join('; ');
}

export function manifestErrorMap(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `expected ${typeWord(issue.expected)}, got nothing; add it`
        : `expected ${typeWord(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys': {
      const keys = issue.keys.map(quote).join(', ');
      const allowed = allowedKeys(issue.inst);
      const head = `unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}`;
      return allowed.length === 0 ? `${head}; remove it` : `${head}; allowed keys: ${allowed.join(', ')}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${showValue(issue.values[0])}, got ${showValue(issue.input)}`
        : `expected one of ${issue.values.map(String).join(', ')}, got ${showValue(issue.input)}`;
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return issue.pattern === undefined
        ? `expected a string in the ${issue.format} format, got ${describeValue(issue.input)}`
        : `expected a string matching ${issue.pattern}, got ${describeValue(issue.input)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, got ${showValue(issue.input)}`;
    case 'invalid_union':
      return noUnionMatch(issue);
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    default:
      // custom issues carry the message of the check that raised them.
      return undefined;
  }
}
