/**
 * Hostile argument lists for `bottle`: each command's arguments with one or
 * two mistakes made in them (an unknown option, an option missing its value or
 * given one it does not take, a value out of range, a --state-dir that is a
 * file, a -f naming no file, an argument too many, too few or unknown), among
 * options that are fine; and unknown commands. Every case records the words a
 * message about it may use to name what is wrong. The mistakes are all caught
 * before anything runs: no case ever reaches Docker or a follow loop. Options
 * --help and --debug are left out: they are not mistakes.
 */
import fc from 'fast-check';
import { marked, text } from './words.js';

export interface ArgvCase {
  argv: string[];
  /** The message must show one of these (a flag, an argument, or words saying what is missing). */
  names: string[];
}

interface Valued {
  long: string;
  short?: string;
  /** A value it takes, for options that are fine. */
  good: string;
}

interface Command {
  name: string;
  valued: Valued[];
  booleans: string[];
  /** Arguments that are fine as they are (an agent named here has no bottle, which commands check after the mistakes). */
  args: string[];
  /** Arguments after `--`. */
  tail?: string[];
  /** Reads the state root, so a --state-dir that is a file is a mistake. */
  state: boolean;
  /** Finds the manifest, so a -f naming no file is a mistake. */
  manifest: boolean;
  /** One more argument is refused (a name no agent has, or one too many); false: taken as it comes. */
  extra: boolean;
  /** Indexes of `args` that name an agent, a task or a subcommand: any other word there is refused. */
  named: number[];
  /** Arguments cut short, and the words of the message saying what is missing. */
  missing: { args: string[]; says: string }[];
}

const FILE: Valued = { long: 'file', short: 'f', good: 'bottle.yaml' };
const STATE_DIR: Valued = { long: 'state-dir', good: 'state' };
const ALLOW_OUTSIDE: Valued = { long: 'allow-outside', good: '.' };
const CONCURRENCY: Valued = { long: 'concurrency', short: 'j', good: '4' };
const LIMIT: Valued = { long: 'limit', good: 'cpu=2' };
const PROGRESS: Valued = { long: 'progress', good: 'plain' };
const COUNT: Valued = { long: 'count', short: 'n', good: '2' };
const FORMAT: Valued = { long: 'format', good: 'dot' };
const MAX_COUNT: Valued = { long: 'max-count', short: 'n', good: '5' };

const NO_AGENT = 'name an agent';

export const COMMANDS: Command[] = [
  { name: 'up', valued: [FILE, STATE_DIR, ALLOW_OUTSIDE, CONCURRENCY, LIMIT, COUNT, PROGRESS], booleans: ['keep-live-rules', 'all', 'force', 'fail-fast', 'dry-run', 'verbose'], args: ['demo'], state: true, manifest: true, extra: true, named: [0], missing: [] },
  { name: 'down', valued: [FILE, STATE_DIR, CONCURRENCY, LIMIT, PROGRESS], booleans: ['all', 'purge'], args: [], state: true, manifest: true, extra: false, named: [], missing: [] },
  { name: 'status', valued: [FILE, STATE_DIR], booleans: ['json', 'probe'], args: [], state: true, manifest: true, extra: true, named: [], missing: [] },
  {
    name: 'task',
    valued: [FILE, STATE_DIR, ALLOW_OUTSIDE, CONCURRENCY, LIMIT, PROGRESS],
    booleans: ['keep-live-rules', 'with-deps', 'force'],
    args: ['ready', 'demo'],
    state: true,
    manifest: true,
    extra: true,
    named: [0, 1],
    missing: [
      { args: [], says: 'give a task and an agent' },
      { args: ['ready'], says: 'give a task and an agent' },
    ],
  },
  { name: 'graph', valued: [FILE, STATE_DIR, FORMAT], booleans: ['down'], args: [], state: false, manifest: false, extra: true, named: [], missing: [] },
  {
    name: 'exec',
    valued: [FILE, STATE_DIR],
    booleans: [],
    args: ['demo'],
    tail: ['--', 'ls'],
    state: true,
    manifest: true,
    extra: false,
    named: [0],
    missing: [
      { args: [], says: 'give the command after `--`' },
      { args: ['demo'], says: 'give the command after `--`' },
    ],
  },
  { name: 'claude', valued: [FILE, STATE_DIR], booleans: [], args: ['demo'], state: true, manifest: true, extra: false, named: [0], missing: [{ args: [], says: NO_AGENT }] },
  { name: 'git', valued: [FILE, STATE_DIR, MAX_COUNT], booleans: [], args: ['log', 'demo'], state: true, manifest: true, extra: true, named: [0, 1], missing: [{ args: [], says: 'name a `bottle git` command' }] },
  { name: 'inbox', valued: [FILE, STATE_DIR], booleans: ['follow', 'json'], args: [], state: true, manifest: true, extra: true, named: [], missing: [] },
  {
    name: 'answer',
    valued: [FILE, STATE_DIR],
    booleans: [],
    args: ['demo', '1', 'yes'],
    state: true,
    manifest: true,
    extra: false,
    named: [0],
    missing: [
      { args: [], says: 'give the agent, the question id and the answer' },
      { args: ['demo', '1'], says: 'give the agent, the question id and the answer' },
    ],
  },
  { name: 'logs', valued: [FILE, STATE_DIR], booleans: ['follow', 'denied', 'json', 'machine'], args: ['demo'], state: true, manifest: true, extra: true, named: [0], missing: [{ args: [], says: NO_AGENT }] },
  ...(['allow', 'deny'] as const).map((name) => ({
    name,
    valued: [FILE, STATE_DIR],
    booleans: [],
    args: ['demo', 'example.com'],
    state: true,
    manifest: true,
    extra: true,
    named: [0],
    missing: [
      { args: [], says: 'give the agent and one host' },
      { args: ['demo'], says: 'give the agent and one host' },
    ],
  })),
  { name: 'validate', valued: [FILE, STATE_DIR, ALLOW_OUTSIDE], booleans: [], args: [], state: false, manifest: true, extra: true, named: [], missing: [] },
  { name: 'schema', valued: [FILE, STATE_DIR], booleans: [], args: [], state: false, manifest: false, extra: true, named: [], missing: [] },
];

const ALL_LONG = [...new Set(COMMANDS.flatMap((c) => [...c.valued.map((v) => v.long), ...c.booleans]))];
const flag = (v: Valued) => [`--${v.long}`, ...(v.short ? [`-${v.short}`] : [])];

/** A whole number of at least 1, as the options that count take it. */
const isCount = (v: string) => Number.isInteger(Number(v)) && Number(v) >= 1;

/** Values the checked options refuse. */
const BAD_VALUES: Record<string, fc.Arbitrary<string>> = {
  concurrency: fc.oneof(fc.constantFrom('0', '-1', '1.5', '', ' ', 'NaN', 'Infinity', '-0', '1e-3', '4x'), text).filter((v) => !isCount(v)),
  count: fc.oneof(fc.constantFrom('0', '-2', '2.5', '', 'two'), text).filter((v) => !isCount(v)),
  'max-count': fc.oneof(fc.constantFrom('0', '-5', '0.5', '', 'all'), text).filter((v) => !isCount(v)),
  limit: fc
    .oneof(fc.constantFrom('', 'cpu', 'cpu=', 'cpu=0', 'cpu=1025', 'docker=2', 'CPU=2', 'cpu=2x', 'cpu = 2', 'backend=-1', '=3'), text, fc.tuple(fc.constantFrom('cpu', 'backend', 'docker-build'), fc.integer({ min: 1025, max: 1e9 })).map(([n, v]) => `${n}=${v}`))
    .filter((v) => {
      const m = /^(docker-build|backend|cpu)=(\d+)$/.exec(v);
      return !(m && Number(m[2]) >= 1 && Number(m[2]) <= 1024);
    }),
  progress: fc.oneof(fc.constantFrom('', 'bogus', 'TTY', 'json ', 'fancy'), text).filter((v) => !['auto', 'tty', 'plain', 'json'].includes(v)),
  format: fc.oneof(fc.constantFrom('', 'svg', 'DOT', 'text '), text).filter((v) => !['text', 'mermaid', 'dot'].includes(v)),
};

interface FlagMistake {
  tokens: string[];
  names: string[];
  /** Uses up this option, so no fine value of it may follow (the last one given would win). */
  option?: string;
  /** Must come last. */
  last?: boolean;
}

function flagMistakes(c: Command): fc.Arbitrary<FlagMistake>[] {
  const shorts = c.valued.flatMap((v) => (v.short ? [v.short] : [])).concat(c.booleans.includes('verbose') ? ['v'] : [], ['h']);
  const otherLong = ALL_LONG.filter((l) => !c.valued.some((v) => v.long === l) && !c.booleans.includes(l));
  const mistakes: fc.Arbitrary<FlagMistake>[] = [
    fc.tuple(marked, fc.option(text, { nil: undefined })).map(([name, value]) => ({ tokens: [`--${name}${value === undefined ? '' : `=${value}`}`], names: [`--${name.split('=')[0]}`] })),
    fc.constantFrom(...'abcdegikmopqrstuwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('').filter((s) => !shorts.includes(s))).map((s) => ({ tokens: [`-${s}`], names: [`-${s}`] })),
    fc.constantFrom(...c.valued).chain((v) => fc.constantFrom(...flag(v)).map((f) => ({ tokens: [f], names: flag(v), option: v.long, last: true }))),
    fc.tuple(fc.constantFrom(...c.valued), fc.constantFrom('-1', '-x', '--zqx')).map(([v, value]) => ({ tokens: [`--${v.long}`, value], names: flag(v), option: v.long })),
  ];
  if (otherLong.length > 0) mistakes.push(fc.constantFrom(...otherLong).map((l) => ({ tokens: [`--${l}`], names: [`--${l}`] })));
  if (c.booleans.length > 0) mistakes.push(fc.tuple(fc.constantFrom(...c.booleans), text).map(([b, value]) => ({ tokens: [`--${b}=${value}`], names: [`--${b}`], option: b })));
  for (const v of c.valued.filter((o) => BAD_VALUES[o.long])) {
    mistakes.push(
      BAD_VALUES[v.long]!.chain((value) =>
        fc.constantFrom<string[]>([`--${v.long}`, value], [`--${v.long}=${value}`], ...(v.short ? [[`-${v.short}`, value]] : []), ...(v.short && value !== '' ? [[`-${v.short}${value}`]] : [])).map((tokens) => ({ tokens, names: flag(v), option: v.long })),
      ),
    );
  }
  if (c.state) mistakes.push(fc.constantFrom('afile', 'afile/sub', 'a\0b').map((dir) => ({ tokens: ['--state-dir', dir], names: ['--state-dir'], option: 'state-dir' })));
  if (c.manifest) mistakes.push(fc.tuple(marked, fc.constantFrom('-f', '--file')).map(([name, f]) => ({ tokens: [f, `${name}.yaml`], names: [`${name}.yaml`], option: 'file' })));
  return mistakes;
}

interface ArgsMistake {
  args: string[];
  names: string[];
  /** Without the arguments after `--`. */
  noTail?: boolean;
}

function argsMistakes(c: Command): fc.Arbitrary<ArgsMistake>[] {
  const mistakes: fc.Arbitrary<ArgsMistake>[] = [];
  if (c.extra) {
    mistakes.push(marked.map((word) => ({ args: [...c.args, word], names: [word] })));
    mistakes.push(marked.map((word) => ({ args: [...c.args, '--', `--${word}`], names: [`--${word}`] })));
  }
  for (const at of c.named) mistakes.push(marked.map((word) => ({ args: c.args.map((a, i) => (i === at ? word : a)), names: [word] })));
  for (const m of c.missing) mistakes.push(fc.constant({ args: m.args, names: [m.says], noTail: true }));
  return mistakes;
}

function noise(c: Command, taken: ReadonlySet<string>): fc.Arbitrary<string[][]> {
  const fine = [...c.valued.filter((v) => !taken.has(v.long)).map((v) => [`--${v.long}`, v.good]), ...c.booleans.filter((b) => !taken.has(b)).map((b) => [`--${b}`])];
  return fine.length === 0 ? fc.constant([]) : fc.subarray(fine, { maxLength: Math.min(3, fine.length) });
}

/** A command's arguments with one or two mistakes, among options that are fine. */
export const commandMistakes: fc.Arbitrary<ArgvCase> = fc.constantFrom(...COMMANDS).chain((c) => {
  const flags = flagMistakes(c);
  const argsOptions = argsMistakes(c);
  return fc
    .tuple(fc.array(fc.oneof(...flags), { maxLength: 2 }), argsOptions.length > 0 ? fc.option(fc.oneof(...argsOptions), { nil: undefined }) : fc.constant(undefined))
    // A mistake that must come last cannot follow `--`, where it would be an argument.
    .filter(([f, a]) => f.length + (a === undefined ? 0 : 1) > 0 && !(f.some((m) => m.last) && a?.args.includes('--')))
    .chain(([f, a]) =>
      noise(c, new Set(f.flatMap((m) => (m.option ? [m.option] : [])))).chain((fine) =>
        fc.shuffledSubarray([...fine, ...f.filter((m) => !m.last).map((m) => m.tokens)], { minLength: fine.length + f.filter((m) => !m.last).length }).map((options) => {
          const last = f.filter((m) => m.last);
          const tail = last.length > 0 || a?.noTail ? [] : (c.tail ?? []);
          return {
            argv: [c.name, ...options.flat(), ...(a?.args ?? c.args), ...tail, ...last.flatMap((m) => m.tokens)],
            names: [...f.flatMap((m) => m.names), ...(a?.names ?? [])],
          };
        }),
      ),
    );
});

/** A command bottle does not have, and whatever follows it. */
export const unknownCommand: fc.Arbitrary<ArgvCase> = fc
  .tuple(fc.oneof(marked, marked.map((m) => `-${m}`), marked.map((m) => `--${m}`), fc.constantFrom('Up', 'upp', 'stat us', 'VALIDATE', '-v', '-x', 'h')), fc.array(text, { maxLength: 3 }))
  .map(([command, rest]) => ({ argv: [command, ...rest], names: [command] }));
