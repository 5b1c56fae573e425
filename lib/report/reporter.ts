/**
 * What a progress renderer is: a sink for engine events, and a finish step
 * that draws the recap once the run is over. Renderers write through the
 * streams they are given; none touches process globals.
 */
import type { EventSink, RunResult } from '../engine/index.js';

export interface ReporterStreams {
  /** Text to stdout (the NDJSON renderer writes nothing else there). */
  out(text: string): void;
  /** Text to stderr. */
  err(text: string): void;
  /** Columns and rows of the terminal, when stdout is one. */
  columns?: number;
  rows?: number;
  /** NO_COLOR set, or not a terminal. */
  noColor: boolean;
}

export interface RecapContext {
  /** Where a failed task's log is: `<state>/<bottle>/logs/<task>.log`. */
  logPath(bottle: string, task: string): string;
}

export interface Reporter {
  sink: EventSink;
  /** Called once after the run; draws the recap. */
  finish(result: RunResult, recap: RecapContext): Promise<void>;
}
