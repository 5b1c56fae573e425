/**
 * A table of plain text that fits a width: columns padded to their widest
 * cell (at most their `maxWidth`), two spaces apart. Too wide, it cuts the
 * columns that may be cut (down to their `minWidth`), in the order given;
 * then it adds the optional columns that still fit. A cut cell ends in an
 * ellipsis. It does not wrap, colour or sort.
 */
import { fit, padVisible, visibleLength } from './fit.js';

export interface TableColumn {
  head: string;
  cells: readonly string[];
  /** May be cut down to this width when the table is too wide; never cut when unset. */
  minWidth?: number;
  /** Cut to this width whatever the room: one long cell does not widen every row. */
  maxWidth?: number;
  /** Left out when the table would not fit with it. */
  optional?: boolean;
}

const GAP = 2;

export function textTable(columns: readonly TableColumn[], width: number): string[] {
  const natural = columns.map((c) => Math.min(c.maxWidth ?? Infinity, Math.max(visibleLength(c.head), ...c.cells.map(visibleLength))));
  const widths = new Map<number, number>();
  columns.forEach((c, i) => c.optional || widths.set(i, natural[i]!));
  const total = () => [...widths.values()].reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, widths.size - 1);
  for (const [i, w] of widths) {
    const over = total() - width;
    if (over <= 0) break;
    const min = columns[i]!.minWidth;
    if (min !== undefined) widths.set(i, Math.max(Math.min(min, w), w - over));
  }
  columns.forEach((c, i) => {
    if (c.optional && total() + GAP + natural[i]! <= width) widths.set(i, natural[i]!);
  });
  const shown = [...widths.keys()].sort((a, b) => a - b);
  const rows = Math.max(0, ...columns.map((c) => c.cells.length));
  const line = (cellOf: (i: number) => string) =>
    shown
      .map((i, k) => {
        const text = fit(cellOf(i), widths.get(i)!);
        return k === shown.length - 1 ? text : padVisible(text, widths.get(i)!);
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line((i) => columns[i]!.head), ...Array.from({ length: rows }, (_, r) => line((i) => columns[i]!.cells[r] ?? ''))];
}
