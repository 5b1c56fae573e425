/**
 * What `bottle ls` prints for people: a table that fits the terminal — AGENT,
 * STATE, BACKEND, CREATED (as `docker ps` says it: `3 minutes ago`),
 * MANIFEST (cut when it does not fit), SLUG when there is room — then a
 * one-line total (`3 bottles: 2 up, 1 stopped`). Bottles come in their
 * agents' natural order, then by manifest. Plain text, no colour. It reads
 * and judges nothing: lib/listing does; `--json` is written by the command.
 */
import { ageText } from './age-text.js';
import { terminalText } from './terminal-text.js';
import { textTable } from './text-table.js';

export interface ListRow {
  agent: string;
  slug: string;
  backend: string;
  /** The host it is placed on, when the manifest has `hosts:`. */
  host?: string;
  state: string;
  /** The manifest that made it, or null (only its backend's objects are left). */
  manifest: string | null;
  /** When it was first made, ms since the epoch; null when unknown. */
  createdMs: number | null;
}

export interface ListTableOptions {
  columns: number;
  /** Milliseconds since the epoch, now. */
  now: number;
  /** The states in the order the total lists them. */
  stateOrder: readonly string[];
}

const MIN_MANIFEST = 16;

export function bottleListLines(given: readonly ListRow[], options: ListTableOptions): string[] {
  const rows = [...given].sort(
    (a, b) => a.agent.localeCompare(b.agent, 'en', { numeric: true }) || (a.manifest ?? '').localeCompare(b.manifest ?? '') || a.slug.localeCompare(b.slug),
  );
  const cells = (cell: (r: ListRow) => string) => rows.map((r) => terminalText(cell(r)));
  const table = textTable(
    [
      { head: 'AGENT', cells: cells((r) => r.agent) },
      { head: 'STATE', cells: cells((r) => r.state) },
      { head: 'BACKEND', cells: cells((r) => (r.host ? `${r.backend}@${r.host}` : r.backend)) },
      { head: 'CREATED', cells: cells((r) => (r.createdMs === null ? '-' : ageText(options.now - r.createdMs))) },
      { head: 'MANIFEST', cells: cells((r) => r.manifest ?? '-'), minWidth: MIN_MANIFEST },
      { head: 'SLUG', cells: cells((r) => r.slug), optional: true },
    ],
    options.columns,
  );
  return [...table, totalLine(rows, options.stateOrder)];
}

/** `3 bottles: 2 up, 1 stopped`. */
function totalLine(rows: readonly ListRow[], order: readonly string[]): string {
  const parts = order
    .map((state) => [state, rows.filter((r) => r.state === state).length] as const)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return `${rows.length} bottle${rows.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}
