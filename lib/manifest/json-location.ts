/**
 * Where a JSON text stops being JSON, as line and column. `JSON.parse` says
 * where for most errors but not for all (`Unexpected token '}'` has no
 * position), so a small scanner walks the JSON grammar to the first offending
 * character. It is called only after `JSON.parse` failed; it builds no value.
 */

class Stop {
  constructor(readonly offset: number) {}
}

/** The offset of the first character that is not valid JSON, or undefined if the text is valid. */
export function jsonErrorOffset(text: string): number | undefined {
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
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === '{') return members('}', () => {
      skipSpace();
      if (text[i] !== '"') stop();
      string();
      skipSpace();
      if (text[i] !== ':') stop();
      i++;
      value();
    });
    if (char === '[') return members(']', value);
    if (char === '"') return string();
    if (char === 't') return word('true');
    if (char === 'f') return word('false');
    if (char === 'n') return word('null');
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return number();
    stop();
  };
  /** The inside of an object or a list, after its opening bracket. */
  const members = (close: string, member: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else stop();
    }
  };

  try {
    value();
    skipSpace();
    if (i < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.offset;
    return undefined; // e.g. nesting too deep for the stack: no position, rather than a crash
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
