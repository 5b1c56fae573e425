/**
 * Whether a secret pattern (JavaScript RegExp source, no flags) matches the
 * empty text, decided from its structure without running it: a pattern built
 * to backtrack (`(|)(|)…(|)x`) can take hours to fail on "", and no timer
 * stops a running regex. On the empty text nothing is consumed, so each part
 * either matches there or not: a character never, `^`, `$` and `\B` always,
 * `\b` never, a backreference always (its group holds "" or nothing), a
 * quantified part when its minimum is 0 or it matches, a lookaround as its
 * contents (negated for `(?!` and `(?<!`). It takes source that `new RegExp`
 * accepted (Annex B syntax, as without the `u` flag); it checks no syntax.
 */

interface Groups {
  /** Capturing groups in the whole pattern: `\N` up to it is a backreference, past it an octal or a literal. */
  count: number;
  /** With a named group, `\k<name>` is a backreference; without, `\k` is the letter k. */
  named: boolean;
}

function groupsOf(source: string): Groups {
  let count = 0;
  let named = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i++;
    else if (char === '[') i = classEnd(source, i) - 1;
    else if (char === '(' && (source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!'))) {
      count++;
      if (source[i + 1] === '?') named = true;
    }
  }
  return { count, named };
}

/** The index just past the `]` that closes the class opened at `start` (the first unescaped one). */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}

const HEX = /^[0-9a-fA-F]$/;
const isHex = (text: string | undefined, from: number, length: number) =>
  text !== undefined && text.length >= from + length && [...text.slice(from, from + length)].every((c) => HEX.test(c));

class Reader {
  i = 0;
  constructor(
    readonly source: string,
    readonly groups: Groups,
  ) {}

  /** Alternatives separated by `|`, up to a `)` or the end: matches "" when one of them does. */
  disjunction(): boolean {
    let any = this.alternative();
    while (this.source[this.i] === '|') {
      this.i++;
      any = this.alternative() || any;
    }
    return any;
  }

  /** Terms in sequence: matches "" when all of them do. */
  private alternative(): boolean {
    let all = true;
    while (this.i < this.source.length && this.source[this.i] !== '|' && this.source[this.i] !== ')') {
      all = this.term() && all;
    }
    return all;
  }

  private term(): boolean {
    const char = this.source[this.i]!;
    if (char === '^' || char === '$') {
      this.i++;
      return true;
    }
    if (char === '\\' && (this.source[this.i + 1] === 'b' || this.source[this.i + 1] === 'B')) {
      this.i += 2;
      return this.source[this.i - 1] === 'B';
    }
    const atom = this.atom();
    const min = this.quantifierMin();
    return min === undefined ? atom : min === 0 || atom;
  }

  /** The minimum of a quantifier at the reader (consumed, with its lazy `?`), or undefined when there is none. */
  private quantifierMin(): number | undefined {
    const char = this.source[this.i];
    let min: number | undefined;
    if (char === '*' || char === '?') min = 0;
    else if (char === '+') min = 1;
    else if (char === '{') {
      const braced = /^\{(\d+)(?:,\d*)?\}/.exec(this.source.slice(this.i));
      if (braced === null) return undefined; // a literal "{"
      this.i += braced[0].length - 1;
      min = /^0+$/.test(braced[1]!) ? 0 : 1;
    } else return undefined;
    this.i++;
    if (this.source[this.i] === '?') this.i++;
    return min;
  }

  private atom(): boolean {
    const char = this.source[this.i]!;
    if (char === '(') return this.group();
    if (char === '[') {
      this.i = classEnd(this.source, this.i);
      return false;
    }
    if (char === '\\') return this.escape();
    this.i++; // ".", or a character (a "]", "{" or "}" standing for itself included)
    return false;
  }

  private group(): boolean {
    const rest = this.source.slice(this.i, this.i + 4);
    const negated = rest.startsWith('(?!') || rest.startsWith('(?<!');
    if (rest.startsWith('(?:') || rest.startsWith('(?=') || rest.startsWith('(?!')) this.i += 3;
    else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) this.i += 4;
    else if (rest.startsWith('(?<')) this.i = this.source.indexOf('>', this.i) + 1;
    else if (rest.startsWith('(?')) this.i = this.source.indexOf(':', this.i) + 1; // modifiers, `(?i:`, where supported
    else this.i += 1;
    const inner = this.disjunction();
    this.i++; // ")"
    return negated ? !inner : inner;
  }

  /** An escape other than `\b` and `\B`: a backreference matches "", anything else is a character or a class. */
  private escape(): boolean {
    const s = this.source;
    const next = s[this.i + 1]!;
    if (/[1-9]/.test(next)) {
      const digits = /^\d+/.exec(s.slice(this.i + 1))![0];
      if (Number(digits) <= this.groups.count) {
        this.i += 1 + digits.length;
        return true;
      }
    }
    if (/[0-7]/.test(next)) {
      // A legacy octal escape: up to three digits from \0-\3, two from \4-\7.
      const most = next <= '3' ? 3 : 2;
      let length = 1;
      while (length < most && /[0-7]/.test(s[this.i + 1 + length] ?? '')) length++;
      this.i += 1 + length;
      return false;
    }
    if (next === 'k' && this.groups.named) {
      this.i = s.indexOf('>', this.i) + 1;
      return true;
    }
    if (next === 'c') {
      // \cX is a control character; a "\" before any other "c" stands for itself.
      this.i += /[A-Za-z]/.test(s[this.i + 2] ?? '') ? 3 : 1;
      return false;
    }
    if (next === 'x' && isHex(s, this.i + 2, 2)) this.i += 4;
    else if (next === 'u' && isHex(s, this.i + 2, 4)) this.i += 6;
    else this.i += 2;
    return false;
  }
}

/** Whether `source` (a valid RegExp source, no flags) matches the empty text. */
export function matchesEmpty(source: string): boolean {
  return new Reader(source, groupsOf(source)).disjunction();
}
