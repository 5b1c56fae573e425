/**
 * The engine's typed events. Reporters and records subscribe; the engine never
 * draws anything itself. `item` is what a product calls a bottle: the engine
 * does not know the word.
 */
import type { EndStatus } from './status.js';

export type RunStatus = 'ok' | 'failed' | 'cancelled';

export type EngineEvent =
  | { type: 'run-start'; items: string[]; tasks: string[] }
  | { type: 'node-start'; item: string; task: string; attempt: number }
  | { type: 'node-log'; item: string; task: string; line: string }
  | { type: 'node-retry'; item: string; task: string; attempt: number; delayMs: number; error: string }
  | {
      type: 'node-end';
      item: string;
      task: string;
      status: EndStatus;
      attempts: number;
      durationMs: number;
      error?: string;
    }
  | { type: 'run-end'; status: RunStatus; counts: Record<EndStatus, number>; durationMs: number };

export type EngineEventType = EngineEvent['type'];

export type EventSink = (event: EngineEvent) => void;
