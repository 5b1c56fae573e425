/**
 * The hook's last resort against a check that cannot be stopped from
 * inside: a secret pattern whose regex backtracks without end runs
 * synchronously and is deaf to node:vm's timeout (timed-regex.ts stops the
 * ones V8 lets it). A worker thread, which keeps time while the main thread
 * is stuck, waits `ms`; if the check has not finished by then, it appends
 * the refusal to the audit log, writes its lines to stderr (git relays them
 * to the pusher) and kills the hook, so git refuses the push. Disarmed, it
 * does nothing; it never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';

export interface LastWords {
  /** Lines for the pusher, newline-terminated. */
  readonly stderr: string;
  readonly auditPath?: string;
  /** The audit line, newline-terminated. */
  readonly auditLine?: string;
}

export type ArmWatchdog = (ms: number, last: LastWords) => () => void;

const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
setTimeout(() => {
  try { if (workerData.auditPath) fs.appendFileSync(workerData.auditPath, workerData.auditLine, { mode: 0o640 }); } catch {}
  try { fs.writeSync(2, workerData.stderr); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.ms);
`;

export const armWatchdog: ArmWatchdog = (ms, last) => {
  const worker = new Worker(WORKER, { eval: true, workerData: { ms, ...last } });
  worker.unref();
  return () => void worker.terminate();
};
