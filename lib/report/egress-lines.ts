/**
 * The egress audit log for people: one line per decision, oldest first —
 * time, decision, method, where (host:port, and the path for an inspected
 * request), status, and the rule or reason. The log is written by the bundle,
 * so every line is parsed defensively (a line that is not an entry is
 * skipped) and every text is shown with its control characters escaped.
 * Pure: text in, entries and lines out.
 */
import { terminalText } from './terminal-text.js';

export interface EgressEntry {
  ts: string;
  method: string;
  host: string;
  port: number | null;
  path?: string;
  decision: 'allow' | 'deny';
  status: number;
  rule?: string;
  reason?: string;
}

/** The entries of a log's text; lines that are not entries (torn, foreign) are left out. */
export function parseEgressLog(text: string): EgressEntry[] {
  const entries: EgressEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const entry = asEntry(value);
    if (entry) entries.push(entry);
  }
  return entries;
}

function asEntry(value: unknown): EgressEntry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const text = (x: unknown, max = 300) => (typeof x === 'string' ? x.slice(0, max) : undefined);
  const ts = text(v.ts, 40);
  const method = text(v.method, 20);
  const host = text(v.host);
  const decision = v.decision === 'allow' || v.decision === 'deny' ? v.decision : undefined;
  if (!ts || !method || host === undefined || !decision) return undefined;
  const path = text(v.path);
  const rule = text(v.rule, 100);
  const reason = text(v.reason);
  return {
    ts,
    method,
    host,
    port: typeof v.port === 'number' ? v.port : null,
    decision,
    status: typeof v.status === 'number' ? v.status : 0,
    ...(path !== undefined && { path }),
    ...(rule !== undefined && { rule }),
    ...(reason !== undefined && { reason }),
  };
}

/** Refused by the proxy, or answered with an error it chose for a rule. */
export function isDenied(entry: EgressEntry): boolean {
  return entry.decision === 'deny' || entry.rule !== undefined;
}

export function egressLine(entry: EgressEntry): string {
  const when = entry.ts.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  const where = `${entry.host}${entry.port === null ? '' : `:${entry.port}`}${entry.path ?? ''}`;
  const why = [entry.rule && `rule ${entry.rule}`, entry.reason].filter(Boolean).join(': ');
  return terminalText(`${when}  ${entry.decision.padEnd(5)}  ${entry.method} ${where}  ${entry.status || '-'}${why ? `  ${why}` : ''}`);
}
