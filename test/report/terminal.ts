/**
 * What a terminal would show after `output`: enough of one to follow the
 * display's redraws (cursor up, carriage return, erase below, newlines).
 * Colour escapes are dropped. An unknown escape fails the test: the display
 * must only use these.
 */
export function screenOf(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  for (let i = 0; i < text.length; ) {
    const escape = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i, i + 12));
    if (escape) {
      const [all, n, op] = escape;
      if (op === 'A') row = Math.max(0, row - Number(n || 1));
      else if (op === 'J') lines.length = row + 1;
      else throw new Error(`unexpected escape ${JSON.stringify(all)}`);
      lines[row] = op === 'J' ? '' : lines[row]!;
      i += all.length;
      continue;
    }
    const char = text[i]!;
    if (char === '\n') {
      row++;
      lines[row] ??= '';
    } else if (char === '\r') {
      // The display erases what follows a carriage return itself.
    } else {
      lines[row] += char;
    }
    i++;
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}
