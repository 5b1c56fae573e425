/**
 * The text of a manifest file as data: `.json` as JSON, anything else as YAML
 * (a superset of JSON). A syntax error, or a key repeated within an object,
 * becomes a ManifestError that names the file, the line and the column. It
 * does not validate the data (parse.ts).
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

function parseYaml(text: string, file: string): unknown {
  const document = parseDocument(text);
  const first = document.errors[0];
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
  return formatOf(file) === 'json' ? parseJson(body, file) : parseYaml(body, file);
}
