/**
 * What a terminal would show after `output`: enough of one to follow the
 * display's redraws (cursor up, carriage return, erase to the end of the
 * line and of the screen, newlines; characters overwrite what is under the
 * cursor). Colour escapes are dropped. An unknown escape fails the test: the
 * display must only use these. A newline also returns the carriage, as a
 * terminal's line discipline makes it do.
 */
export function screenOf(output: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  for (let i = 0; i < text.length; ) {
    const escape = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i, i + 12));
    if (escape) {
      const [all, n, op] = escape;
      if (op === 'A') row = Math.max(0, row - Number(n || 1));
      else if (op === 'J') {
        lines.length = row + 1;
        lines[row]!.length = Math.min(lines[row]!.length, col);
      } else if (op === 'K') lines[row]!.length = Math.min(lines[row]!.length, col);
      else throw new Error(`unexpected escape ${JSON.stringify(all)}`);
      i += all.length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (char === '\n') {
      row++;
      col = 0;
      lines[row] ??= [];
    } else if (char === '\r') {
      col = 0;
    } else {
      const line = lines[row]!;
      while (line.length < col) line.push(' ');
      line[col++] = char;
    }
    i += char.length;
  }
  const out = lines.map((l) => l.join('').trimEnd());
  while (out.length > 0 && out.at(-1) === '') out.pop();
  return out;
}
