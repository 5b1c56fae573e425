/**
 * Hostile manifests (issue 13): fast-check makes 1 130 malformed manifests
 * from valid bases (test/cli/fuzz/manifest-cases.ts); `bottle validate` and
 * `bottle up --dry-run` refuse each with exit 2 and a message naming the path
 * made wrong (or the file and line of a syntax error), no stack trace, within
 * 2 s, and up creates nothing. Seeds are fixed, so a failure reproduces. The
 * mistakes that once got past them are kept at the end.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';
import {
  badName,
  BASES,
  brokenYaml,
  controlInJson,
  deepNesting,
  duplicateKey,
  EXAMPLE_FILES,
  type ManifestCase,
  truncatedJson,
  unknownKey,
  wrongValue,
} from './fuzz/manifest-cases.js';
import { expectPointsAt, expectRefused, MAX_MS, timedRun } from './fuzz/refusal.js';

let c: InProcessCli;

beforeAll(async () => {
  c = await inProcessCli();
  for (const [path, content] of Object.entries(EXAMPLE_FILES)) {
    await mkdir(dirname(join(c.dir, path)), { recursive: true });
    await writeFile(join(c.dir, path), content);
  }
});
afterAll(() => c.cleanup());

async function writeManifest(file: ManifestCase['file'], text: string): Promise<void> {
  await rm(join(c.dir, 'bottle.yaml'), { force: true });
  await rm(join(c.dir, 'bottle.json'), { force: true });
  await writeFile(join(c.dir, file), text);
}

async function expectBothRefuse(m: ManifestCase): Promise<void> {
  await writeManifest(m.file, m.text);
  const validate = await timedRun(c, 'validate');
  expectRefused(validate, `bottle validate: ${m.what}`);
  expectPointsAt(validate.err, join(c.dir, m.file), m.expect, m.what);
  const up = await timedRun(c, 'up', '--dry-run');
  expectRefused(up, `bottle up --dry-run: ${m.what}`);
  expect(up.err, m.what).toBe(validate.err);
  expect(existsSync(join(c.dir, 'state')), m.what).toBe(false);
}

describe('fuzzed manifests', () => {
  it.each(Object.keys(BASES))('the base %s is valid, as YAML and as JSON, so each mistake made in it is the only one', async (name) => {
    for (const [file, text] of [['bottle.yaml', toYaml(BASES[name])], ['bottle.json', JSON.stringify(BASES[name])]] as const) {
      await writeManifest(file, text);
      expect(await c.run('validate'), `${name} as ${file}: ${c.err}`).toBe(0);
    }
  });

  it.each([
    { what: 'a value the field refuses', mistakes: wrongValue, seed: 1301, runs: 450 },
    { what: 'a key an object does not take', mistakes: unknownKey, seed: 1302, runs: 150 },
    { what: 'a name no bottle, agent, variable or limit may have', mistakes: badName, seed: 1303, runs: 150 },
    { what: 'nesting 2 to 30 000 deep', mistakes: deepNesting, seed: 1304, runs: 100 },
    { what: 'a key given twice', mistakes: duplicateKey, seed: 1305, runs: 100 },
    { what: 'JSON cut short', mistakes: truncatedJson, seed: 1306, runs: 60 },
    { what: 'a control character in JSON', mistakes: controlInJson, seed: 1307, runs: 60 },
    { what: 'a line no YAML may hold', mistakes: brokenYaml, seed: 1308, runs: 60 },
  ])('$what: refused by validate and up, naming where (seed $seed, $runs manifests)', async ({ mistakes, seed, runs }) => {
    await fc.assert(fc.asyncProperty(mistakes, expectBothRefuse), { seed, numRuns: runs });
  });
});

const smallWith = (bottle: Record<string, unknown>) => toYaml({ bottles: { dev: bottle }, agents: { demo: { bottle: 'dev' } } });

/** [the mistake, what bottle once did with it, file, text, what the message says now]. */
const FOUND: [string, string, ManifestCase['file'], string, string][] = [
  [
    'a bottle named __proto__',
    'passed validate; up failed with "Cannot read properties of undefined (reading \'allow\')", exit 1',
    'bottle.json',
    '{"bottles":{"dev":{},"__proto__":{}},"agents":{"demo":{"bottle":"__proto__"}}}',
    '  - bottles.__proto__: invalid bottle name "__proto__": use only lower-case letters, digits and "-"',
  ],
  ['an agent named __proto__', 'passed, the agent dropped', 'bottle.yaml', 'bottles: { dev: {} }\nagents: { demo: { bottle: dev }, __proto__: { bottle: dev } }\n', '  - agents.__proto__: invalid agent name "__proto__"'],
  ['a variable named __proto__', 'passed, the variable dropped', 'bottle.yaml', 'bottles: { dev: { env: { __proto__: x } } }\nagents: { demo: { bottle: dev } }\n', '  - bottles.dev.env.__proto__: "__proto__" cannot be used as a name here'],
  ['a limit named __proto__', 'passed, the limit dropped', 'bottle.yaml', 'limits: { __proto__: 0 }\nbottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n', '  - limits.__proto__: "__proto__" cannot be used as a name here'],
  [
    'a secret pattern that matches "" only after 2^30 backtracks',
    'hung validate: the pattern was run on ""',
    'bottle.yaml',
    smallWith({ git: { repo: '.', secrets: [`${'(|)'.repeat(30)}x|`] } }),
    '  - bottles.dev.git.secrets[0]: expected a regular expression, got "(|)(|)',
  ],
  ['a NUL in git.repo', 'passed validate; up failed later', 'bottle.yaml', smallWith({ git: { repo: 'a\0b' } }), '  - bottles.dev.git.repo: expected text without a NUL character, got "a\\u0000b"'],
  ['a NUL in an env value', 'passed validate', 'bottle.yaml', smallWith({ env: { A: 'a\0b' } }), '  - bottles.dev.env.A: expected text without a NUL character'],
  ['a NUL in upstreamCa', 'passed validate and up --dry-run', 'bottle.yaml', smallWith({ egress: { upstreamCa: 'ca\0.pem' } }), '  - bottles.dev.egress.upstreamCa: expected text without a NUL character'],
  ['a NUL in image', 'passed validate', 'bottle.yaml', smallWith({ image: 'node\0' }), '  - bottles.dev.image: expected text without a NUL character'],
  [
    'a promptFile of 60 000 characters',
    'took 7 s, resolving the path one part at a time',
    'bottle.yaml',
    toYaml({ bottles: { dev: {} }, agents: { demo: { bottle: 'dev', promptFile: 'a/'.repeat(30_000) } } }),
    '  - agents.demo.promptFile: expected a path of at most 4096 characters, got 60000',
  ],
  [
    'YAML nested 30 000 deep',
    'aborted up --dry-run (run after validate) with "FATAL ERROR: RegExpCompiler Allocation failed", the stack exhausted in the YAML parser',
    'bottle.yaml',
    `bottles: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`,
    'bottle.yaml is not valid YAML at line 1, column 74: it is nested more than 64 deep\n',
  ],
];

describe('mistakes the fuzzing found', () => {
  it.each(FOUND)('%s: once %s; now refused', async (_, __, file, text, says) => {
    await writeManifest(file, text);
    for (const argv of [['validate'], ['up', '--dry-run']]) {
      const run = await timedRun(c, ...argv);
      expectRefused(run, `${argv.join(' ')}: ${text.slice(0, 200)}`);
      expect(run.err).toContain(says);
    }
  });

  it('accepts, within 2 s, a secret pattern that backtracks 2^30 ways before it fails on ""', async () => {
    await writeManifest('bottle.yaml', smallWith({ git: { repo: '.', secrets: [`${'(|)'.repeat(30)}x`] } }));
    const run = await timedRun(c, 'validate');
    expect(run.code, run.err).toBe(0);
    expect(run.ms).toBeLessThan(MAX_MS);
  });

  it('prints no Node warning when a YAML key is a list (it is an unknown key, reported as such)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await writeManifest('bottle.yaml', '? [a, b]\n: 1\nbottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
      const run = await timedRun(c, 'validate');
      expect(run.err).toContain('  - (top level): unknown key "[ a, b ]"');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
