/**
 * Hostile argument lists (issue 13): fast-check makes 1 200 of them
 * (test/cli/fuzz/argv-cases.ts): each command with unknown options, options
 * missing their value or given a bad one, a --state-dir that is a file, a -f
 * naming no file, arguments too many, too few or unknown, control characters
 * throughout; and unknown commands. Each is refused with exit 2 and a message
 * naming the option or argument, no stack trace, within 2 s, and nothing is
 * created, commands that need a running bottle included. Seeds are fixed. The
 * mistakes that once got past them are kept at the end.
 */
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessCli, type InProcessCli } from '../helpers/in-process-cli.js';
import { type ArgvCase, commandMistakes, unknownCommand } from './fuzz/argv-cases.js';
import { expectRefused, namesOneOf, timedRun } from './fuzz/refusal.js';

let c: InProcessCli;
let files: string[];

beforeAll(async () => {
  c = await inProcessCli();
  await writeFile(`${c.dir}/bottle.yaml`, 'bottles: { dev: {} }\nagents: { demo: { bottle: dev } }\n');
  await writeFile(`${c.dir}/afile`, 'not a directory\n');
  files = readdirSync(c.dir).sort();
});
afterAll(() => c.cleanup());

async function expectNamedRefusal({ argv, names }: ArgvCase): Promise<void> {
  const what = `bottle ${JSON.stringify(argv)}`;
  const run = await timedRun(c, ...argv);
  expectRefused(run, what);
  expect(namesOneOf(run.err, names), `${what} should name one of ${JSON.stringify(names)}; stderr: ${run.err}`).toBe(true);
  expect(readdirSync(c.dir).sort(), `${what} created something`).toEqual(files);
}

describe('fuzzed argument lists', () => {
  it.each([
    { what: 'a command with one or two mistakes among fine options', lists: commandMistakes, seed: 1311, runs: 1050 },
    { what: 'a command bottle does not have', lists: unknownCommand, seed: 1312, runs: 150 },
  ])('$what: refused, naming the option or argument (seed $seed, $runs lists)', async ({ lists, seed, runs }) => {
    await fc.assert(fc.asyncProperty(lists, expectNamedRefusal), { seed, numRuns: runs });
  });
});

/** [argv, what bottle once did with it, what the message says now]. */
const FOUND: [string[], string, string][] = [
  [['status', '--state-dir', 'afile'], 'exit 1: "ENOTDIR: not a directory, scandir …" and "run with --debug"', '--state-dir %/afile is not a directory; pass a directory'],
  [['up', '--dry-run', '--state-dir', 'afile'], 'exit 1: "ENOTDIR: not a directory, scandir …"', '--state-dir %/afile is not a directory'],
  [['inbox', '--state-dir', 'afile/sub'], 'exit 0: "no bottles of this manifest have been brought up"', '--state-dir %/afile/sub cannot be created: %/afile is not a directory'],
  [['validate', 'extra'], 'exit 0: the argument ignored', 'bottle validate takes no arguments, got "extra"'],
  [['schema', 'extra'], 'exit 0, the schema printed', 'bottle schema takes no arguments, got "extra"'],
  [['graph', 'extra'], 'exit 0, the graph printed', 'bottle graph takes no arguments, got "extra"'],
  [['status', 'extra'], 'exit 0, the status printed', 'bottle status takes no arguments, got "extra"'],
  [['git'], 'exit 2 with the usage on stdout and nothing on stderr', 'name a `bottle git` command: fetch or log'],
  [['allow', 'demo', 'example.com', 'extra'], '"give the agent and one host", the extra argument not named', 'bottle allow takes an agent and one host, got 3: demo, example.com, extra'],
  [['task', 'ready', 'demo', 'extra'], 'the extra argument ignored, the task run', 'bottle task takes a task and one agent, got 3: ready, demo, extra'],
  [['up', '--count', ''], 'the empty count ignored, one bottle brought up', '--count must be a whole number >= 1, got ""'],
];

describe('mistakes the fuzzing found', () => {
  it.each(FOUND)('bottle %j: once %s; now refused', async (argv, _, says) => {
    const run = await timedRun(c, ...argv);
    expectRefused(run, argv.join(' '));
    expect(run.err).toContain(says.replaceAll('%', c.dir));
    expect(readdirSync(c.dir).sort()).toEqual(files);
  });
});
