/**
 * The text of a manifest file as data: `.json` as JSON, anything else as YAML
 * (a superset of JSON). A syntax error, a key repeated within an object, or
 * nesting deeper than any manifest needs becomes a ManifestError that names
 * the file, the line and the column. It does not validate the data (parse.ts).
 */
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { ManifestError } from './errors.js';
import { quote } from './describe.js';
import { formatPath } from './issues.js';
import { jsonDuplicateKey, jsonErrorOffset, lineColumn } from './json-location.js';

export type ManifestFormat = 'json' | 'yaml';

export function formatOf(file: string): ManifestFormat {
  return extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

function syntaxError(file: string, format: ManifestFormat, reason: string, cause: unknown, at?: { line: number; column: number }) {
  const where = at === undefined ? '' : ` at line ${at.line}, column ${at.column}`;
  return new ManifestError({
    code: 'SYNTAX',
    file,
    message: `${file} is not valid ${format === 'json' ? 'JSON' : 'YAML'}${where}: ${reason}`,
    line: at?.line,
    column: at?.column,
    cause,
  });
}

function parseJson(text: string, file: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // V8: `Unexpected token '}', "{"a":}" is not valid JSON`, `... in JSON at position 7`.
    const reason = (error as Error).message
      .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '');
    const offset = jsonErrorOffset(text);
    throw syntaxError(file, 'json', reason, error, offset === undefined ? undefined : lineColumn(text, offset));
  }
  // JSON.parse keeps the last of repeated keys; YAML refuses them, and so do we.
  const duplicate = jsonDuplicateKey(text);
  if (duplicate !== undefined) {
    const key = quote(String(duplicate.path[duplicate.path.length - 1]));
    const first = lineColumn(text, duplicate.firstOffset);
    const reason =
      `duplicate key ${key} at ${formatPath(duplicate.path)} (first at line ${first.line}, column ${first.column}); ` +
      'keep one of them';
    throw syntaxError(file, 'json', reason, undefined, lineColumn(text, duplicate.offset));
  }
  return data;
}

/** Brackets (`[`, `{`) open at once past which a text is refused: a manifest needs a handful. */
const MAX_NESTING = 64;

/**
 * The offset where `text` first has more than MAX_NESTING brackets open,
 * quoted or not (a manifest has no reason to), or undefined. Checked before
 * parsing, so a hostile text never drives a parser into a stack overflow:
 * V8 may then abort the whole process (an irregexp compile out of memory)
 * rather than throw.
 */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '[' || char === '{') {
      if (++depth > MAX_NESTING) return i;
    } else if (char === ']' || char === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

const isStackOverflow = (message: string) => message.includes('Maximum call stack size exceeded');

function parseYaml(text: string, file: string): unknown {
  // Warnings (a list used as a key...) would go to process.emitWarning; the schema reports what they are about.
  const document = parseDocument(text, { logLevel: 'error' });
  const first = document.errors[0];
  // Nested too deeply by indentation: where the parser ran out of stack says nothing, so no position.
  if (first !== undefined && isStackOverflow(first.message)) throw syntaxError(file, 'yaml', 'it is nested too deeply', first);
  if (first !== undefined) {
    // yaml appends ` at line L, column C:` and a code frame; we say where ourselves.
    const reason = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    const at = first.linePos?.[0];
    throw syntaxError(file, 'yaml', reason, first, at === undefined ? undefined : { line: at.line, column: at.col });
  }
  try {
    return document.toJS();
  } catch (error) {
    // An alias with no anchor, or too many aliases: found while building the value, with no position.
    throw syntaxError(file, 'yaml', (error as Error).message, error);
  }
}

/** The data in `text`, read as the format `file`'s extension says. */
export function parseManifestText(text: string, file: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  const format = formatOf(file);
  const deep = tooDeepAt(body);
  if (deep !== undefined) throw syntaxError(file, format, `it is nested more than ${MAX_NESTING} deep`, undefined, lineColumn(body, deep));
  return format === 'json' ? parseJson(body, file) : parseYaml(body, file);
}
