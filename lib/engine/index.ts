/** The task-graph engine: knows nothing of bottles, only tasks, items and records. */
export { defineGraph, type Graph } from './graph.js';
export { runGraph } from './scheduler.js';
export { planRun, type PlannedNode } from './plan.js';
export { hash, stableStringify } from './fingerprint.js';
export { defineTask, DEFAULT_RETRY, type TaskDef, type TaskIO, type RetryPolicy, type Scope } from './task.js';
export { TaskError, EngineError, toErrorInfo, isTransient, type ErrorInfo, type EngineErrorCode } from './errors.js';
export { STATUSES, END_STATUSES, isSuccess, emptyCounts, type Status, type EndStatus } from './status.js';
export { type EngineEvent, type EngineEventType, type EventSink, type RunStatus } from './events.js';
export { memoryRecorder, noRecorder, type Recorder, type ItemRecord, type TaskRecord } from './recorder.js';
export { realClock, type Clock } from './clock.js';
export { RUN_ITEM, type Item, type RunOptions, type RunResult, type NodeResult, type Target } from './options.js';
