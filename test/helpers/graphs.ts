/**
 * Builders for engine tests: tasks that sleep on the virtual clock, count how
 * many run at once, and fail on cue.
 */
import { TaskError, type EngineEvent, type TaskDef } from '../../lib/engine/index.js';
import type { VirtualClock } from './virtual-clock.js';

export interface Probe {
  running: number;
  peak: number;
  /** Per resource name: running now and peak. */
  resources: Map<string, { running: number; peak: number }>;
  /** `<item>/<task>` in the order they started / ended (virtual time attached). */
  starts: { key: string; t: number }[];
  ends: { key: string; t: number }[];
  calls: Map<string, number>;
}

export function newProbe(): Probe {
  return { running: 0, peak: 0, resources: new Map(), starts: [], ends: [], calls: new Map() };
}

export interface Ctx {
  item: string;
}

export interface SleepTaskSpec {
  id: string;
  needs?: string[];
  ms?: number;
  scope?: 'bottle' | 'run';
  resources?: string[];
  /** Throw this on the given attempts (1-based), per item; `true` means every attempt. */
  failOn?: (item: string, attempt: number) => TaskError | undefined;
  fingerprint?: (ctx: Ctx) => unknown;
  isDone?: (ctx: Ctx) => boolean;
  output?: (ctx: Ctx, needs: Readonly<Record<string, unknown>>) => unknown;
  retry?: TaskDef['retry'];
  timeoutMs?: number;
}

export function sleepTask(spec: SleepTaskSpec, clock: VirtualClock, probe: Probe): TaskDef<Ctx> {
  return {
    id: spec.id,
    title: spec.id,
    needs: spec.needs ?? [],
    scope: spec.scope ?? 'bottle',
    resources: spec.resources ?? [],
    retry: spec.retry ?? { attempts: 1 },
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
    fingerprint: (ctx) => (spec.fingerprint ? spec.fingerprint(ctx) : spec.id),
    ...(spec.isDone ? { isDone: (ctx: Ctx) => spec.isDone!(ctx) } : {}),
    async run(ctx, io) {
      const key = `${ctx.item}/${spec.id}`;
      probe.calls.set(key, (probe.calls.get(key) ?? 0) + 1);
      probe.starts.push({ key, t: clock.now() });
      probe.running++;
      probe.peak = Math.max(probe.peak, probe.running);
      for (const r of spec.resources ?? []) {
        const slot = probe.resources.get(r) ?? { running: 0, peak: 0 };
        slot.running++;
        slot.peak = Math.max(slot.peak, slot.running);
        probe.resources.set(r, slot);
      }
      try {
        await clock.sleep(spec.ms ?? 10, io.signal);
        const error = spec.failOn?.(ctx.item, io.attempt);
        if (error) throw error;
        return spec.output ? spec.output(ctx, io.needs) : { from: key };
      } finally {
        probe.running--;
        for (const r of spec.resources ?? []) probe.resources.get(r)!.running--;
        probe.ends.push({ key, t: clock.now() });
      }
    },
  };
}

export function collect(): { events: EngineEvent[]; sink: (e: EngineEvent) => void } {
  const events: EngineEvent[] = [];
  return { events, sink: (e) => events.push(e) };
}

export function items(...keys: string[]): { key: string; ctx: Ctx }[] {
  return keys.map((key) => ({ key, ctx: { item: key } }));
}

export function statuses(result: { nodes: Map<string, { status: string }> }): Record<string, string> {
  return Object.fromEntries([...result.nodes].map(([k, v]) => [k, v.status]).sort());
}

export const boom = (transient = false) => new TaskError(transient ? 'daemon busy' : 'bad input', { transient });
