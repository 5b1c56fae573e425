/**
 * The inbox for people: one block per message, oldest first, every bottle's
 * together by time, each question marked by what became of it; what the
 * agent wrote is shown with its control characters escaped and, past a
 * length, cut (the JSON output has it whole). Pure: lines in, lines out.
 */
import type { InboxEntry } from '../supervise/index.js';
import { terminalText } from './terminal-text.js';

export interface InboxItem {
  agent: string;
  entry: InboxEntry;
}

const SHOWN_CHARS = 2000;

/** Every bottle's entries in one list, oldest first (by the time the bundle wrote them, then id). */
export function byTime(items: readonly InboxItem[]): InboxItem[] {
  return [...items].sort((a, b) => a.entry.at.localeCompare(b.entry.at) || Number(a.entry.id) - Number(b.entry.id));
}

export function inboxLines(item: InboxItem): string[] {
  const { agent, entry } = item;
  const when = entry.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
  const mark = entry.kind === 'question' ? ` [${entry.status}]` : '';
  const lines = [`${agent} #${entry.id}  ${when}  ${entry.kind}${mark}`];
  for (const line of shown(entry.text).split('\n')) lines.push(`    ${terminalText(line)}`);
  if (entry.kind === 'question') {
    if (entry.options.length > 0) lines.push(`    options: ${entry.options.map((o) => terminalText(o)).join(' | ')}`);
    if (entry.answer) lines.push(`    answer: ${terminalText(shown(entry.answer.text).replace(/\n/g, ' '))}`);
    else if (entry.status === 'unanswered') lines.push(`    answer with: bottle answer ${agent} ${entry.id} "<text>"`);
    if (entry.expired) lines.push(`    the agent stopped waiting (${entry.expired.reason}) at ${entry.expired.at}`);
  }
  return lines;
}

function shown(text: string): string {
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}... (${text.length - SHOWN_CHARS} more characters; --json shows all)`;
}
