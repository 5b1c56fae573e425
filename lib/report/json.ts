/**
 * `--progress json`: one JSON object per engine event on stdout, and nothing
 * else (docs/architecture.md, "Machine-readable output"). The engine's
 * `item` is a bottle here; `_run` is the run-scoped work (images).
 * JSON.stringify escapes C0 controls but leaves C1 and bidi controls raw;
 * those become `\u` escapes too, which parse to the same strings.
 */
import type { EngineEvent } from '../engine/index.js';
import { terminalJson } from './terminal-text.js';

const json = (value: unknown) => terminalJson(JSON.stringify(value));

export function jsonReporter(write: (line: string) => void): (e: EngineEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'run-start':
        return write(json({ v: 1, type: e.type, bottles: e.items, tasks: e.tasks }));
      case 'run-end':
        return write(json({ v: 1, type: e.type, status: e.status, counts: e.counts, durationMs: Math.round(e.durationMs) }));
      default: {
        const { item, type, ...rest } = e;
        const out: Record<string, unknown> = { v: 1, type, bottle: item, ...rest };
        if ('durationMs' in out) out.durationMs = Math.round(out.durationMs as number);
        return write(json(out));
      }
    }
  };
}
