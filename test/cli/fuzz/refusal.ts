/**
 * What the fuzz tests require of every refusal: exit 2, one `bottle: ...`
 * message on stderr and nothing on stdout, no stack trace or JavaScript error
 * name, an answer within 2 s; and the check that the message names what was
 * wrong (a manifest path near the mutated one, a file and line, a flag or an
 * argument), as the user reads it: escaped for the terminal.
 */
import { expect } from 'vitest';
import { formatPath } from '../../../lib/manifest/issues.js';
import { terminalLines } from '../../../lib/report/terminal-text.js';
import type { InProcessCli } from '../../helpers/in-process-cli.js';
import type { Expectation, Key } from './manifest-cases.js';

export const MAX_MS = 2000;

export interface Run {
  code: number;
  out: string;
  err: string;
  ms: number;
}

export async function timedRun(c: InProcessCli, ...argv: string[]): Promise<Run> {
  const start = performance.now();
  const code = await c.run(...argv);
  return { code, out: c.out, err: c.err, ms: performance.now() - start };
}

/** What a crash looks like: a stack frame, a JavaScript error's name or message, the hint to rerun with --debug. */
const CRASH = /\n\s+at |TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|is not iterable|Maximum call stack|run with --debug/;

export function expectRefused(run: Run, what: string): void {
  const context = `${what}\nstderr: ${run.err.slice(0, 2000)}`;
  expect(run.code, context).toBe(2);
  expect(run.err, context).toMatch(/^bottle: [^]*\n$/);
  expect(run.err, context).not.toMatch(CRASH);
  expect(run.out, context).toBe('');
  expect(run.ms, context).toBeLessThan(MAX_MS);
}

/** `text` as the message shows it: escaped for the terminal, raw or (when a message JSON-quotes it) JSON-escaped. */
function shownForms(text: string): string[] {
  return [terminalLines(text), terminalLines(JSON.stringify(text).slice(1, -1))];
}

export function namesOneOf(err: string, names: readonly string[]): boolean {
  return names.some((name) => shownForms(name).some((form) => err.includes(form)));
}

/** An issue line at `path`, at a parent of it other than the top level, or at a child of it. */
function issueNear(err: string, path: readonly Key[]): boolean {
  const at = (p: readonly Key[]) => `\n  - ${terminalLines(formatPath(p))}`;
  const self = at(path);
  const parents = Array.from({ length: Math.max(0, path.length - 1) }, (_, i) => at(path.slice(0, i + 1)));
  return [self, ...parents].some((line) => err.includes(`${line}: `)) || err.includes(`${self}.`) || err.includes(`${self}[`);
}

/** The message says what `expect` requires, for the manifest at `file`. */
export function expectPointsAt(err: string, file: string, expected: Expectation, what: string): void {
  const context = `${what}\nstderr: ${err.slice(0, 2000)}`;
  const syntax = (format: string) => err.startsWith(`bottle: ${terminalLines(file)} is not valid ${format} at line `);
  if ('syntax' in expected) expect(syntax(expected.syntax), context).toBe(true);
  else expect(issueNear(err, expected.at) || (expected.orSyntax === true && (syntax('YAML') || syntax('JSON'))), context).toBe(true);
  if (expected.mentions !== undefined) expect(namesOneOf(err, [expected.mentions]), context).toBe(true);
}
