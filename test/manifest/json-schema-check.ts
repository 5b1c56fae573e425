/**
 * A small JSON Schema (2020-12) checker for the keywords our manifest schema
 * uses, so tests can hold documents against `manifestJsonSchema()` without a
 * validator dependency. A keyword it does not know is an error, so a schema
 * that starts using one fails the tests instead of passing unchecked.
 */

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default', 'examples']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every violation of `schema` by `value`, as `<path>: <keyword>`; empty when it conforms. */
export function violations(schema: Schema, value: unknown, path = '$'): string[] {
  const found: string[] = [];
  const fail = (keyword: string) => found.push(`${path}: ${keyword}`);
  for (const [keyword, rule] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case 'type': {
        const types = Array.isArray(rule) ? (rule as string[]) : [rule as string];
        if (!types.some((type) => hasType(value, type))) fail('type');
        break;
      }
      case 'const':
        if (value !== rule) fail('const');
        break;
      case 'enum':
        if (!(rule as unknown[]).includes(value)) fail('enum');
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(rule as string, 'u').test(value)) fail('pattern');
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < (rule as number)) fail('minLength');
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > (rule as number)) fail('maxLength');
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (rule as number)) fail('minimum');
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (rule as number)) fail('maximum');
        break;
      case 'exclusiveMinimum':
        if (typeof value === 'number' && value <= (rule as number)) fail('exclusiveMinimum');
        break;
      case 'exclusiveMaximum':
        if (typeof value === 'number' && value >= (rule as number)) fail('exclusiveMaximum');
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (rule as number)) fail('minItems');
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (rule as number)) fail('maxItems');
        break;
      case 'anyOf':
        if (!(rule as Schema[]).some((option) => violations(option, value, path).length === 0)) fail('anyOf');
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((item, i) => found.push(...violations(rule as Schema, item, `${path}[${i}]`)));
        break;
      case 'required':
        if (typeOf(value) === 'object') {
          for (const key of rule as string[]) if (!Object.hasOwn(value as object, key)) fail(`required ${key}`);
        }
        break;
      case 'minProperties':
        if (typeOf(value) === 'object' && Object.keys(value as object).length < (rule as number)) fail('minProperties');
        break;
      case 'properties':
      case 'additionalProperties':
      case 'propertyNames':
        if (typeOf(value) === 'object') found.push(...objectViolations(schema, keyword, value as Record<string, unknown>, path));
        break;
      default:
        throw new Error(`json-schema-check: unsupported keyword "${keyword}" at ${path}`);
    }
  }
  return found;
}

function objectViolations(schema: Schema, keyword: string, value: Record<string, unknown>, path: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const found: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (keyword === 'propertyNames') found.push(...violations(schema.propertyNames as Schema, key, `${at} (name)`));
    else if (keyword === 'properties' && properties[key] !== undefined) found.push(...violations(properties[key], item, at));
    else if (keyword === 'additionalProperties' && properties[key] === undefined) {
      const rule = schema.additionalProperties;
      if (rule === false) found.push(`${at}: additionalProperties`);
      else if (typeof rule === 'object' && rule !== null) found.push(...violations(rule as Schema, item, at));
    }
  }
  return found;
}
