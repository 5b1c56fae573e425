/**
 * Malformed manifests: a valid base (examples/bottle.yaml, the smallest
 * manifest, one with every field) with one mistake made in it, written as
 * YAML or JSON, and where a message about it must point. The mistakes: a value
 * the field refuses at a known path (bad-values.ts), an unknown key in an
 * object that takes fixed keys, a name no bottle, agent, variable or limit may
 * have, deep nesting, a key given twice, a text cut short or broken. Every case
 * records the path it made wrong (or that it broke the syntax), so a test can
 * check the message names it. It writes no file; the tests do.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { quote } from '../../../lib/manifest/describe.js';
import { formatPath } from '../../../lib/manifest/issues.js';
import * as bad from './bad-values.js';
import { marked, text } from './words.js';

export type Key = string | number;

export type Expectation =
  /** An issue at `at`, at a parent of it (not the top level) or at a child of it; `orSyntax`: or a syntax error with a line. */
  | { at: Key[]; mentions?: string; orSyntax?: boolean }
  /** A syntax error naming the file and a line. */
  | { syntax: 'YAML' | 'JSON'; mentions?: string };

export interface ManifestCase {
  what: string;
  file: 'bottle.yaml' | 'bottle.json';
  text: string;
  expect: Expectation;
}

const example = (path: string) => new URL(`../../../examples/${path}`, import.meta.url);

/** What examples/bottle.yaml needs beside it to be valid. */
export const EXAMPLE_FILES: Record<string, string> = { 'prompts/builder.md': readFileSync(example('prompts/builder.md'), 'utf8') };

export const BASES: Record<string, unknown> = {
  example: parseYaml(readFileSync(example('bottle.yaml'), 'utf8')),
  small: { bottles: { dev: {} }, agents: { demo: { bottle: 'dev' } } },
  full: {
    $schema: './bottle.schema.json',
    version: 1,
    skillsDir: 'skills',
    limits: { cpu: 2, backend: 8 },
    bottles: {
      dev: {
        backend: 'docker',
        image: 'node:22',
        cpus: 0.5,
        memory: '2GiB',
        pids: 1024,
        disk: 20480,
        env: { A: 'x', PORT: 8080, ON: true },
        guestHome: '/home/agent',
        user: '1000',
        egress: {
          allow: ['api.github.com', '*.npmjs.org:443', '10.0.0.0/8', '[fd00::/8]:443', 'api.example.com', { host: 'api.other.com', inspect: true, methods: ['GET'], paths: { allow: ['/v1/*'], deny: ['/admin/*'] } }],
          audit: { maxSize: '128m', keep: 3 },
          maxConnections: 10,
          idleTimeout: 60,
          credentials: [
            { host: 'api.example.com', header: 'x-api-key', from: 'env:KEY' },
            { host: 'api.github.com', bearer: true, from: 'file:keys/gh-token' },
          ],
          upstreamCa: 'certs/ca.pem',
        },
        git: {
          repo: '.',
          branch: 'feature/x',
          push: ['refs/heads/agent/*'],
          secrets: ['ACME-[0-9]{8}', { name: 'acme token', pattern: 'acme_[a-z]{20}' }],
          user: { name: 'A', email: 'a@b.c' },
        },
        supervise: { askTimeout: 600 },
      },
      'vm-2': { backend: 'smolvm', memory: 512 },
    },
    agents: { demo: { bottle: 'dev', skills: ['a.b_c-d'], prompt: 'hi', env: { B: 'y' } }, w: { bottle: 'vm-2' } },
  },
};

const TIB = 1024 * 1024;

/** Paths (`*`: any existing key or index, and a new index at the end of a list) and values they refuse. */
const RULES: [string, fc.Arbitrary<unknown>][] = [
  ['', bad.notObject],
  ['$schema', bad.notString],
  ['version', fc.oneof(bad.notNumber, fc.integer().filter((n) => n !== 1), fc.double().filter((n) => n !== 1))],
  ['skillsDir', fc.oneof(bad.notString, bad.badHostPath, fc.constantFrom('/', '..', '/etc'))],
  ['limits', bad.notObject],
  ['limits.*', bad.badNumber(1, 1024, true)],
  ['bottles', fc.oneof(bad.notObject, fc.constant({}))],
  ['bottles.*', bad.notObject],
  ['bottles.*.backend', fc.oneof(bad.notString, text.filter((t) => t !== 'docker' && t !== 'smolvm'))],
  ['bottles.*.image', fc.oneof(bad.notString, fc.constantFrom('', 'node 22', ' node', 'a\0b', 'node:22\n'))],
  ['bottles.*.cpus', fc.oneof(bad.badNumber(0, 64, false), fc.constantFrom(0, -0))],
  ['bottles.*.memory', bad.badSize(128, TIB)],
  ['bottles.*.pids', bad.badNumber(64, 1048576, true)],
  ['bottles.*.disk', bad.badSize(1024, 64 * TIB)],
  ['bottles.*.env', bad.notObject],
  ['bottles.*.env.*', bad.badEnvValue],
  ['bottles.*.guestHome', fc.oneof(bad.notString, fc.constantFrom('', 'home/node', '~/x', '/home/\0x'))],
  ['bottles.*.user', bad.badUser],
  ['bottles.*.egress', bad.notObject],
  ['bottles.*.egress.allow', bad.notList],
  ['bottles.*.egress.allow.*', bad.badAllowEntry],
  ['bottles.*.egress.allow.*.methods', fc.oneof(bad.notList, fc.constant([]), fc.constant(['G E T']), fc.constant(Array(21).fill('GET')))],
  ['bottles.*.egress.allow.*.paths', fc.oneof(bad.notObject, fc.constant({ allow: ['no-slash'] }), fc.constant({ deny: [`/${'x'.repeat(200)}`] }))],
  ['bottles.*.egress.audit', bad.notObject],
  ['bottles.*.egress.audit.maxSize', bad.badSize(1, TIB)],
  ['bottles.*.egress.audit.keep', bad.badNumber(0, 10, true)],
  ['bottles.*.egress.maxConnections', bad.badNumber(1, 65536, true)],
  ['bottles.*.egress.idleTimeout', bad.badNumber(1, 86400, true)],
  ['bottles.*.egress.credentials', fc.oneof(bad.notList, fc.constant(Array(51).fill(null)))],
  ['bottles.*.egress.credentials.*', bad.badCredential],
  ['bottles.*.egress.upstreamCa', fc.oneof(bad.notString, bad.badHostPath, fc.constantFrom('/etc/ssl/ca.pem', '../ca.pem'))],
  ['bottles.*.git', bad.notObject],
  ['bottles.*.git.repo', fc.oneof(bad.notString, bad.badHostPath, fc.constantFrom('/', '..'))],
  ['bottles.*.git.branch', bad.badBranch],
  ['bottles.*.git.push', fc.oneof(bad.notList, fc.constant(Array(101).fill('refs/heads/x')))],
  ['bottles.*.git.push.*', bad.badPush],
  ['bottles.*.git.secrets', fc.oneof(bad.notList, fc.constant(Array(101).fill('abc')))],
  ['bottles.*.git.secrets.*', bad.badSecret],
  ['bottles.*.git.user', fc.oneof(bad.notObject, fc.constantFrom({ name: 'a' }, { email: 'e' }, { name: '', email: 'e' }, { name: 'a\0', email: 'e' }))],
  ['bottles.*.supervise', bad.notObject],
  ['bottles.*.supervise.askTimeout', bad.badNumber(10, 604800, true)],
  ['agents', fc.oneof(bad.notObject, fc.constant({}))],
  ['agents.*', bad.notObject],
  ['agents.*.bottle', fc.oneof(bad.notString, fc.constantFrom('prod', 'DEV', '', ' dev'))],
  ['agents.*.skills', bad.notList],
  ['agents.*.skills.*', bad.badSkill],
  ['agents.*.prompt', bad.notString],
  ['agents.*.promptFile', fc.oneof(bad.notString, bad.badHostPath, fc.constantFrom('missing.md', '.', '/etc/passwd', '../outside.md'))],
  ['agents.*.env', bad.notObject],
  ['agents.*.env.*', bad.badEnvValue],
];

/** Objects with fixed keys, and the keys they take. */
const STRICT: [string, string[]][] = [
  ['', ['$schema', 'version', 'skillsDir', 'limits', 'bottles', 'agents']],
  ['bottles.*', ['backend', 'image', 'cpus', 'memory', 'pids', 'disk', 'env', 'guestHome', 'user', 'egress', 'git', 'supervise']],
  ['agents.*', ['bottle', 'skills', 'prompt', 'promptFile', 'env']],
  ['bottles.*.egress', ['allow', 'audit', 'maxConnections', 'idleTimeout', 'credentials', 'upstreamCa']],
  ['bottles.*.egress.audit', ['maxSize', 'keep']],
  ['bottles.*.egress.allow.*', ['host', 'inspect', 'methods', 'paths']],
  ['bottles.*.egress.allow.*.paths', ['allow', 'deny']],
  ['bottles.*.egress.credentials.*', ['host', 'header', 'bearer', 'from', 'placeholderEnv']],
  ['bottles.*.git', ['repo', 'branch', 'push', 'secrets', 'user']],
  ['bottles.*.git.user', ['name', 'email']],
  ['bottles.*.git.secrets.*', ['name', 'pattern']],
  ['bottles.*.supervise', ['askTimeout']],
];

/** Maps whose keys are names the manifest chooses: names they refuse, and a value valid there. */
const NAMED: [string, fc.Arbitrary<string>, (base: unknown) => unknown][] = [
  ['bottles', bad.badName, () => ({})],
  ['agents', bad.badName, (base) => ({ bottle: Object.keys(get(base, ['bottles']) as object)[0] })],
  ['limits', bad.badLimitName, () => 2],
  ['bottles.*.env', bad.badEnvName, () => 'x'],
  ['agents.*.env', bad.badEnvName, () => 'x'],
];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(data: unknown, path: readonly Key[]): unknown {
  let at = data;
  for (const key of path) at = typeof at === 'object' && at !== null && Object.hasOwn(at, key) ? (at as Record<Key, unknown>)[key] : undefined;
  return at;
}

/** A copy of `data` with `value` at `path` (an own property even for `__proto__`); missing maps on the way are created. */
function setAt(data: unknown, path: readonly Key[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(data);
  let parent = copy as Record<Key, unknown>;
  for (const key of path.slice(0, -1)) {
    if (typeof parent[key] !== 'object' || parent[key] === null) parent[key] = {};
    parent = parent[key] as Record<Key, unknown>;
  }
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/**
 * The concrete paths of `pattern` in `base`: `*` stands for each key or index
 * there, and in last place also for a new index at the end of a list. The
 * last part need not exist (an optional field left out); the others must.
 */
function pathsOf(base: unknown, pattern: string): Key[][] {
  const parts = pattern === '' ? [] : pattern.split('.');
  let paths: Key[][] = [[]];
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    paths = paths.flatMap((path): Key[][] => {
      const container = get(base, path);
      if (part !== '*') return isPlainObject(container) ? [[...path, part]] : [];
      if (Array.isArray(container)) return [...container.keys(), ...(last ? [container.length] : [])].map((k) => [...path, k]);
      return isPlainObject(container) ? Object.keys(container).map((k) => [...path, k]) : [];
    });
  });
  return paths;
}

const everyBase = <T>(make: (name: string, base: unknown) => T[]): T[] => Object.entries(BASES).flatMap(([name, base]) => make(name, base));

type Format = 'yaml' | 'json';
const format = fc.constantFrom<Format>('yaml', 'json');

function serialize(data: unknown, as: Format): Pick<ManifestCase, 'file' | 'text'> {
  return as === 'json' ? { file: 'bottle.json', text: JSON.stringify(data, null, 2) } : { file: 'bottle.yaml', text: toYaml(data, { lineWidth: 0 }) };
}

/** A value the field refuses, at a path of a base. */
export const wrongValue: fc.Arbitrary<ManifestCase> = fc
  .constantFrom(...everyBase((name, base) => RULES.flatMap(([pattern, values]) => pathsOf(base, pattern).map((path) => ({ name, base, path, values })))))
  .chain(({ name, base, path, values }) =>
    fc.tuple(values, format).map(([value, as]) => ({
      what: `${name}: ${formatPath(path)} set to a value it refuses (${as})`,
      ...serialize(setAt(base, path, value), as),
      expect: { at: path },
    })),
  );

/** A key an object with fixed keys does not take. */
export const unknownKey: fc.Arbitrary<ManifestCase> = fc
  .constantFrom(...everyBase((name, base) => STRICT.flatMap(([pattern, allowed]) => pathsOf(base, pattern).filter((p) => isPlainObject(get(base, p))).map((path) => ({ name, base, path, allowed })))))
  .chain(({ name, base, path, allowed }) =>
    fc
      .tuple(fc.oneof(marked, text, fc.constantFrom('__proto__', 'constructor', 'toString')).filter((k) => !allowed.includes(k)), bad.notObject, format)
      .map(([key, value, as]) => ({
        what: `${name}: unknown key ${quote(key)} in ${formatPath(path)} (${as})`,
        ...serialize(setAt(base, [...path, key], value), as),
        expect: { at: path, mentions: quote(key) },
      })),
  );

/** A bottle, agent, variable or limit with a name it cannot have. */
export const badName: fc.Arbitrary<ManifestCase> = fc
  .constantFrom(...everyBase((name, base) => NAMED.flatMap(([pattern, names, valid]) => pathsOf(base, pattern).map((path) => ({ name, base, path, names, valid })))))
  .chain(({ name, base, path, names, valid }) =>
    fc.tuple(names, format).map(([key, as]) => ({
      what: `${name}: ${formatPath(path)} has a key named ${quote(key)} (${as})`,
      ...serialize(setAt(base, [...path, key], valid(base)), as),
      expect: { at: [...path, key] },
    })),
  );

const DEEP = 'ZQDEEPMARKER';

/** Lists or objects nested 2 to 30 000 deep (never `[]`, which some fields take), where a value goes. */
export const deepNesting: fc.Arbitrary<ManifestCase> = fc
  .constantFrom(...everyBase((name, base) => RULES.flatMap(([pattern]) => pathsOf(base, pattern).map((path) => ({ name, base, path })))))
  .chain(({ name, base, path }) =>
    fc.tuple(fc.oneof(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1000, max: 30_000 })), fc.boolean(), format).map(([depth, lists, as]) => {
      const deep = lists ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      const { file, text: written } = serialize(setAt(base, path, DEEP), as);
      return {
        what: `${name}: ${formatPath(path)} nested ${depth} deep (${as})`,
        file,
        text: written.replace(as === 'json' ? `"${DEEP}"` : DEEP, deep),
        expect: { at: path, orSyntax: true },
      };
    }),
  );

/** JSON text of `value`, with `duplicate` added as one more entry of the object at its path. */
function jsonWithDuplicate(value: unknown, duplicate: { path: Key[]; key: string; value: unknown }, at: Key[] = []): string {
  if (Array.isArray(value)) return `[${value.map((v, i) => jsonWithDuplicate(v, duplicate, [...at, i])).join(',\n')}]`;
  if (!isPlainObject(value)) return JSON.stringify(value);
  const entries = Object.keys(value).map((k) => `${JSON.stringify(k)}: ${jsonWithDuplicate(value[k], duplicate, [...at, k])}`);
  if (formatPath(at) === formatPath(duplicate.path)) entries.push(`${JSON.stringify(duplicate.key)}: ${JSON.stringify(duplicate.value)}`);
  return `{${entries.join(',\n')}}`;
}

/** Every object of `data` with at least one key, by path. */
function objectsOf(data: unknown, at: Key[] = []): Key[][] {
  if (Array.isArray(data)) return data.flatMap((v, i) => objectsOf(v, [...at, i]));
  if (!isPlainObject(data)) return [];
  return [...(Object.keys(data).length > 0 ? [at] : []), ...Object.keys(data).flatMap((k) => objectsOf(data[k], [...at, k]))];
}

/** A key given twice in one object (JSON.parse would keep the last; YAML refuses). */
export const duplicateKey: fc.Arbitrary<ManifestCase> = fc
  .constantFrom(...everyBase((name, base) => objectsOf(base).map((path) => ({ name, base, path }))))
  .chain(({ name, base, path }) =>
    fc.tuple(fc.constantFrom(...Object.keys(get(base, path) as object)), fc.oneof(fc.integer(), text), format).map(([key, value, as]) => {
      const json = jsonWithDuplicate(base, { path, key, value });
      return {
        what: `${name}: ${quote(key)} twice in ${formatPath(path)} (${as})`,
        file: as === 'json' ? ('bottle.json' as const) : ('bottle.yaml' as const),
        text: json,
        expect: as === 'json' ? { syntax: 'JSON' as const, mentions: `duplicate key ${quote(key)} at ${formatPath([...path, key])}` } : { syntax: 'YAML' as const },
      };
    }),
  );

const baseName = fc.constantFrom(...Object.keys(BASES));

/** JSON cut short: every proper prefix of an object's text is invalid. */
export const truncatedJson: fc.Arbitrary<ManifestCase> = fc
  .tuple(baseName, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }))
  .map(([name, pretty, where]) => {
    const whole = JSON.stringify(BASES[name], null, pretty ? 2 : 0);
    const at = Math.floor(where * whole.length);
    return { what: `${name}: JSON cut after ${at} of ${whole.length} characters`, file: 'bottle.json', text: whole.slice(0, at), expect: { syntax: 'JSON' } };
  });

/** A control character that is no JSON whitespace, anywhere in JSON text (raw in a string, or between tokens). */
export const controlInJson: fc.Arbitrary<ManifestCase> = fc
  .tuple(baseName, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 0x1f }).filter((c) => ![0x09, 0x0a, 0x0d].includes(c)))
  .map(([name, where, code]) => {
    const whole = JSON.stringify(BASES[name], null, 2);
    const at = Math.floor(where * whole.length);
    return {
      what: `${name}: \\x${code.toString(16).padStart(2, '0')} at ${at} of the JSON`,
      file: 'bottle.json',
      text: whole.slice(0, at) + String.fromCharCode(code) + whole.slice(at),
      expect: { syntax: 'JSON' },
    };
  });

/** Lines no YAML document may hold at the start of a line, anywhere: unclosed flows and quotes, tabs, stray brackets, an undefined alias. */
const BROKEN_LINES = ['- x', 'x: [', 'x: {', '"unterminated', '\tkey: 1', ']', '}', 'a: b: c', '*nope', 'x: "a', "x: 'a", '@x', '`x'];

export const brokenYaml: fc.Arbitrary<ManifestCase> = fc
  .tuple(baseName, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...BROKEN_LINES))
  .map(([name, where, line]) => {
    const lines = toYaml(BASES[name], { lineWidth: 0 }).split('\n');
    const at = Math.floor(where * lines.length);
    return {
      what: `${name}: ${JSON.stringify(line)} as line ${at + 1} of the YAML`,
      file: 'bottle.yaml',
      text: [...lines.slice(0, at), line, ...lines.slice(at)].join('\n'),
      expect: { syntax: 'YAML' },
    };
  });
