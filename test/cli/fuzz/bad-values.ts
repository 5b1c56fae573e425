/**
 * Values a manifest field must refuse, by kind of field: the wrong type, a
 * number out of range or not whole, a size in no known form, a string the
 * field's rule refuses (a host with a scheme, a branch with "..", a path with
 * a NUL...). Each arbitrary yields only values that are wrong where it is
 * used (manifest-cases.ts pairs them with paths); none is ever valid there.
 */
import fc from 'fast-check';
import { huge, marked, text, withNul } from './words.js';

const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any JSON-ish value, nested a little. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  text,
  huge,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), text), { maxLength: 3 }),
  fc.dictionary(marked, fc.oneof(fc.integer(), text), { maxKeys: 2 }),
);

export const notString = anyValue.filter((v) => typeof v !== 'string');
export const notNumber = anyValue.filter((v) => typeof v !== 'number');
export const notBoolean = anyValue.filter((v) => typeof v !== 'boolean');
export const notList = anyValue.filter((v) => !Array.isArray(v));
export const notObject = anyValue.filter((v) => !isPlainObject(v));
/** Not a string, number or boolean (what env values and sizes may be). */
export const notScalar = fc.oneof(fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({ zqx: 1 }));
/** Neither a string nor a plain object (what egress.allow and git.secrets entries may be). */
export const notStringNorObject = anyValue.filter((v) => typeof v !== 'string' && !isPlainObject(v));

/** A number the field cannot take: below `min`, above `max`, not finite, or (when `whole`) a fraction in range. */
export function badNumber(min: number, max: number, whole: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    notNumber,
    fc.integer({ min: -1e9, max: Math.ceil(min) - 1 }),
    fc.double({ min: max, max: 1e300, noNaN: true }).filter((n) => n > max),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    ...(whole ? [fc.double({ min, max: Math.min(max, 1e6), noNaN: true, noInteger: true })] : []),
  );
}

/** A size field (MiB, or text with a unit) outside `min`..`max` MiB, or in no form a size takes. */
export function badSize(min: number, max: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.oneof(fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({ size: 1 })),
    fc.integer({ min: -1e6, max: min - 1 }),
    fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, min - 0.5),
    fc.constantFrom('', 'x', '2x', '1.2.3g', 'g', '-1g', '1 0g', '0x10', '2 gigs', `${min - 1}m`, `${max + 1}m`, '99999t', '0.5k'),
    marked,
  );
}

/** A host path the manifest must refuse: empty, with a NUL, or longer than any path can be. */
export const badHostPath = fc.oneof(fc.constant(''), withNul, huge.filter((h) => h.length > 4096 && !h.includes('\0')));

/** egress.allow entries that are no destination, or an object entry with a wrong field. */
export const badAllowEntry = fc.oneof(
  notStringNorObject,
  fc.constantFrom(
    'https://example.com',
    'example.com/path',
    'a b.com',
    'user@host.com',
    '*.10.0.0.1',
    '[::1',
    '[::1]x',
    'fd00::1',
    '10.0.0.256',
    '10.0.0.0/33',
    '10.0.0.1/8',
    'example.com:0',
    'example.com:65536',
    'example.com:http',
    '-a.com',
    'a..com',
    'a.com.',
    '*',
    'a*.com',
    '',
    `${'a'.repeat(64)}.com`,
    'x'.repeat(300),
    'ex\0ample.com',
    'é.com',
  ),
  fc.constantFrom<unknown>(
    {},
    { host: 5 },
    { host: 'a.com', inspect: 'yes' },
    { host: 'a.com', methods: ['GET'] },
    { host: 'a.com', inspect: true, methods: [] },
    { host: 'a.com', inspect: true, methods: ['G E T'] },
    { host: '10.0.0.1', inspect: true },
    { host: 'a.com', inspect: true, paths: { allow: ['no-slash'] } },
    { host: 'a.com', inspect: true, paths: { deny: '/' } },
    { host: 'a.com', inspect: true, paths: { allow: [`/${'x'.repeat(300)}`] } },
    { host: 'https://a.com', inspect: true },
  ),
);

/** egress.credentials entries that are wrong (the bottle allows api.example.com and has a credential for it, header x-api-key). */
export const badCredential = fc.oneof(
  notObject,
  fc.constantFrom<unknown>(
    {},
    { host: 'api.example.com', from: 'env:KEY' },
    { host: 'api.example.com', header: 'Host', from: 'env:KEY' },
    { host: 'api.example.com', header: 'x key', from: 'env:KEY' },
    { host: 'api.example.com', header: 'x-other', from: 'vault:key' },
    { host: 'api.example.com', header: 'x-other', from: 'env:1KEY' },
    { host: 'api.example.com', header: 'x-other', from: 'file:' },
    { host: 'api.example.com', header: 'x-other', from: 'file:a\0b' },
    { host: 'api.example.com', header: 'x-other', from: `file:${'a/'.repeat(2100)}` },
    { host: 'not-allowed.example.com', header: 'x-other', from: 'env:KEY' },
    { host: 'api.example.com', header: 'x-other', bearer: true, from: 'env:KEY' },
    { host: '', header: 'x-other', from: 'env:KEY' },
    { host: 'api.example.com', header: 'x-other', from: 'env:KEY', placeholderEnv: '1X' },
    { host: 'api.example.com', header: 'x-other', from: 'env:KEY', extra: 1 },
  ),
);

/** git.secrets entries that are no usable pattern: not compiling, matching the empty text (quickly or after a long backtrack), too long. */
export const badSecret = fc.oneof(
  notStringNorObject,
  fc.constantFrom<unknown>('', 'x*', '(', '[', 'a|', '(?:)', '^', 'a'.repeat(1001), { name: '', pattern: 'abc' }, { name: 'n' }, { pattern: 'abc' }, { name: 'n', pattern: 'x?' }, { name: 'x'.repeat(101), pattern: 'abc' }, { name: 'n', pattern: 'abc', flags: 'i' }),
  // Backtracks 2^n ways before it finds the empty alternative: running it on "" would hang.
  fc.integer({ min: 25, max: 40 }).map((n) => `${'(|)'.repeat(n)}x|`),
);

/** Branch names git refuses. */
export const badBranch = fc.oneof(
  notString,
  fc.constantFrom('', '-x', 'refs/heads/main', 'a b', 'a..b', 'a@{b', '@', 'a/', '/a', 'a//b', '.a', 'a.lock', 'a.', 'x'.repeat(256), 'a\x01b', 'a\0b', 'a~b', 'a^b', 'a:b', 'a?b', 'a*b', 'a[b', 'a\\b'),
);

/** Push patterns outside refs/ or with other characters. */
export const badPush = fc.oneof(notString, fc.constantFrom('main', 'refs/', 'refs/heads/a b', 'refs/heads/é', 'heads/*', ''), text.filter((t) => !/^refs\/[A-Za-z0-9._/*-]+$/.test(t)));

/** Guest users that are root or no user name. */
export const badUser = fc.oneof(notString, fc.constantFrom('root', '0', '000', 'a b', '', 'x'.repeat(33), '-a', 'é', 'a\0'));

/** Skill names that are paths or empty. */
export const badSkill = fc.oneof(notString, fc.constantFrom('', '../x', 'a/b', '.hidden', '-x', 'a b', 'a\0b'));

/** Env values: not a string, number or boolean, or a string with a NUL. */
export const badEnvValue = fc.oneof(notScalar, withNul);

/** Names a bottle or agent cannot have. */
export const badName = fc.oneof(
  fc.constantFrom('__proto__', '', 'Dev', 'a--b', '-a', 'a-', 'a_b', 'x'.repeat(41), 'a b', 'é'),
  marked.filter((m) => !/^(?=.{1,40}$)(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(m)),
  text.filter((t) => !/^(?=.{1,40}$)(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(t)),
);

/** Names an environment variable cannot have (`__proto__` has the shape of one, but objects reserve it). */
export const badEnvName = fc.oneof(fc.constantFrom('__proto__', '', '1A', 'A-B', 'A B', 'É'), text.filter((t) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)));

/** Names that are no limit. */
export const badLimitName = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'docker', 'CPU', ''), text.filter((t) => !['docker-build', 'backend', 'cpu'].includes(t)));
