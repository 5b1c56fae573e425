/**
 * Keeps secret values out of what bottle writes: every occurrence of one in
 * a text becomes `[secret]`. Values shorter than 4 characters are left alone
 * (replacing every "1" would mangle a log and hide nothing). Also wraps the
 * engine's event sink and recorder, so a task's log lines, errors and
 * outputs reach the display, the NDJSON, the logs and the records cleaned.
 * It does not know where the secrets come from (lib/plan/secrets.ts).
 */
import type { EngineEvent, EventSink, Recorder, TaskRecord } from '../engine/index.js';

export const REDACTED = '[secret]';
const MIN_CHARS = 4;

export type Redact = (text: string) => string;

export function redactor(secrets: readonly string[]): Redact {
  // Longest first: a secret that contains another is replaced whole.
  // Each as written and as it appears inside a JSON string (a record is JSON).
  const forms = secrets.filter((s) => s.length >= MIN_CHARS).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const values = [...new Set(forms)].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, value) => out.split(value).join(REDACTED), text);
}

/** The sink, given events whose texts are cleaned. */
export function redactedSink(sink: EventSink, redact: Redact): EventSink {
  return (event) => sink(redactEvent(event, redact));
}

export function redactEvent(event: EngineEvent, redact: Redact): EngineEvent {
  switch (event.type) {
    case 'node-log':
      return { ...event, line: redact(event.line) };
    case 'node-retry':
      return { ...event, error: redact(event.error) };
    case 'node-end':
      return event.error === undefined ? event : { ...event, error: redact(event.error) };
    default:
      return event;
  }
}

/** The recorder, given log lines and records (errors, outputs) that are cleaned. */
export function redactedRecorder<R extends Recorder>(recorder: R, redact: Redact): R {
  return {
    ...recorder,
    update: (item, task, entry) => recorder.update(item, task, JSON.parse(redact(JSON.stringify(entry))) as TaskRecord),
    log: (item, task, line) => recorder.log(item, task, redact(line)),
  };
}
