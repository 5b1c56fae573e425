/**
 * Waits, turn by turn of the event loop (no timer), until the audit log file
 * holds `count` lines: the way a test knows the proxy has recorded a decision
 * it makes on its own side, after the client has gone (a tunnel whose client
 * left). It does not parse more than JSON lines.
 */
import { readFile } from 'node:fs/promises';
import type { AuditLine } from './start-proxy.js';

export async function untilAuditLines(path: string, count: number): Promise<AuditLine[]> {
  for (;;) {
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n').filter((line) => line !== '');
    if (lines.length >= count) return lines.map((line) => JSON.parse(line) as AuditLine);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
