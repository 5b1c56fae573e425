/**
 * Where a JSON text goes wrong, as line and column: where it stops being JSON
 * (`JSON.parse` says where for most errors but not for all: `Unexpected token
 * '}'` has no position), and where a key repeats within one object (which
 * `JSON.parse` accepts silently, keeping the last value). A small scanner walks
 * the JSON grammar to find either; it builds no value.
 */

/** A key that appears twice in one object: its path (`['bottles', 'dev']`) and both places. */
export interface JsonDuplicate {
  path: (string | number)[];
  /** Offsets of the second occurrence's opening quote, and of the first's. */
  offset: number;
  firstOffset: number;
}

class Stop {
  constructor(readonly offset: number) {}
}

class Repeated {
  constructor(readonly duplicate: JsonDuplicate) {}
}

/** Walks `text` as JSON; throws a Stop at the first character that is not JSON and, when asked, a Repeated at the first repeated key. */
function walk(text: string, checkKeys: boolean): void {
  let i = 0;
  const stop = (at = i): never => {
    throw new Stop(at);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const word = (literal: string): void => {
    for (const char of literal) {
      if (text[i] !== char) stop();
      i++;
    }
  };
  const string = (): void => {
    i++; // the opening quote
    for (;;) {
      const char = text[i];
      if (char === undefined || char < ' ') stop();
      if (char === '"') {
        i++;
        return;
      }
      if (char === '\\') {
        const escape = text[i + 1];
        if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
        else stop(i + 1);
      } else i++;
    }
  };
  const number = (): void => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null) stop();
    else i += match[0].length;
  };
  const object = (path: (string | number)[]): void => {
    const seen = new Map<string, number>();
    members('}', () => {
      skipSpace();
      if (text[i] !== '"') stop();
      const start = i;
      string();
      // Keys compare as decoded: "a" and "\u0061" are the same key.
      const key = JSON.parse(text.slice(start, i)) as string;
      const first = seen.get(key);
      if (checkKeys && first !== undefined) throw new Repeated({ path: [...path, key], offset: start, firstOffset: first });
      seen.set(key, start);
      skipSpace();
      if (text[i] !== ':') stop();
      i++;
      value([...path, key]);
    });
  };
  const value = (path: (string | number)[]): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') return object(path);
    if (char === '[') return members(']', (index) => value([...path, index]));
    if (char === '"') return string();
    if (char === 't') return word('true');
    if (char === 'f') return word('false');
    if (char === 'n') return word('null');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    stop();
  };
  /** The inside of an object or a list, after its opening bracket. */
  const members = (close: string, member: (index: number) => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (let index = 0; ; index++) {
      member(index);
      skipSpace();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else stop();
    }
  };

  value([]);
  skipSpace();
  if (i < text.length) stop();
}

/** What `walk` found; nothing when nesting is too deep for the stack (then no position rather than a crash). */
function scan(text: string, checkKeys: boolean): Stop | Repeated | undefined {
  try {
    walk(text, checkKeys);
    return undefined;
  } catch (error) {
    return error instanceof Stop || error instanceof Repeated ? error : undefined;
  }
}

/** The offset of the first character that is not valid JSON, or undefined if the text is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  const found = scan(text, false);
  return found instanceof Stop ? found.offset : undefined;
}

/**
 * The first key that repeats within an object of valid JSON, or undefined. A
 * text nested too deeply to scan gives undefined too: the schema, which nests
 * a few levels only, refuses it anyway.
 */
export function jsonDuplicateKey(text: string): JsonDuplicate | undefined {
  const found = scan(text, true);
  return found instanceof Repeated ? found.duplicate : undefined;
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
