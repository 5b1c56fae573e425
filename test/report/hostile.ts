/**
 * What a hostile guest could print, for the reporters' tests: an OSC 52
 * clipboard write ended by BEL, a screen clear and cursor home, a carriage
 * return over the line, and a raw C1 CSI; with text that must pass as it is.
 */
import type { RunResult } from '../../lib/engine/index.js';

export const GUEST = 'é 🚀 \x1b]52;c;aGk=\x07\x1b[2J\x1b[H\rowned\x9b31m';
/** How GUEST reads once escaped. */
export const GUEST_SHOWN = 'é 🚀 \\x1b]52;c;aGk=\\x07\\x1b[2J\\x1b[H\\rowned\\x9b31m';
/** Any C0 control but the newline, DEL, or a C1 control. */
export const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

/** A run in which `a`'s `prepare` failed with `message`. */
export function failedRun(message: string): RunResult {
  const record = { status: 'failed' as const, attempts: 1, durationMs: 10, error: { message, code: 'X', transient: false } };
  return {
    status: 'failed',
    counts: { done: 0, 'up-to-date': 0, failed: 1, blocked: 0, cancelled: 0 },
    durationMs: 10,
    recordErrors: [],
    nodes: new Map([['a/prepare', { item: 'a', task: 'prepare', status: 'failed', record }]]),
  };
}
