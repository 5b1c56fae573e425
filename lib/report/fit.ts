/**
 * Text cut to a number of terminal columns, for lines that must never wrap
 * (a redrawn frame counts its lines; a table keeps its columns). Columns are
 * counted as code points, escape sequences as none. It does not measure wide
 * characters (CJK, emoji take two columns on most terminals): what we cut is
 * our own text, slugs and task names.
 */

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/y;

/** `text` cut to `width` visible characters (escape sequences kept, closed with a reset when cut), ending in `…` when cut. */
export function fit(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; ) {
    ANSI.lastIndex = i;
    const escape = ANSI.exec(text);
    if (escape) {
      out += escape[0];
      i += escape[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (visible === width - 1 && visibleLength(text.slice(i)) > 1) return close(`${out}…`);
    if (visible === width) return close(out);
    out += char;
    visible++;
    i += char.length;
  }
  return out;
}

/** A reset after a cut, so the colour of the cut part does not run on; none when nothing was coloured. */
function close(text: string): string {
  return text.includes('\x1b[') ? `${text}\x1b[0m` : text;
}

export function visibleLength(text: string): number {
  return [...text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')].length;
}

/** `text` padded with spaces to `width` visible characters (escape sequences not counted). */
export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}
