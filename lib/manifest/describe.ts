/**
 * How the values a user wrote appear in error messages: their type and, when
 * short, the value itself (`string ("two")`, `number (2)`, `list`), so every
 * message of lib/manifest reads alike. It formats text; it builds no errors.
 */

const MAX_SHOWN = 60;

/** `"text"`, JSON-quoted, cut at 60 characters so one bad value cannot flood a message. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}

/** The type of `value` as a manifest author thinks of it, with the value when it is short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return `string (${quote(value)})`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} (${String(value)})`;
    default:
      return typeof value;
  }
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * A zod `error` option that reads `expected <what>, got <value>`, plus a hint on
 * what to do. Zod calls it with the issue, whose `input` is the offending value.
 */
export function expected(what: string, hint?: string): (issue: { input?: unknown }) => string {
  return (issue) => `expected ${what}, got ${describeValue(issue.input)}${hint === undefined ? '' : `; ${hint}`}`;
}
