/**
 * Starts the bundle's daemons at once, each from its own config file; if one
 * fails to start, the ones that did are stopped and the first error goes on. Once all listen it writes the ready file (a temp file renamed, so a
 * reader never sees half of it) with each daemon's address. It does not read
 * argv, handle signals or write to the terminal (main.ts does).
 */
import { rename, writeFile } from 'node:fs/promises';
import type { BundleConfig, DaemonName } from './config.js';
import { DAEMONS, type Address, type DaemonHooks, type RunningDaemon } from './daemons.js';

export interface RunningBundle {
  readonly daemons: ReadonlyArray<{ name: DaemonName; running: RunningDaemon }>;
  /** Stops every daemon, the last started first. */
  close(): Promise<void>;
}

export async function startAll(config: BundleConfig, hooks: DaemonHooks, start = DAEMONS): Promise<RunningBundle> {
  const started: { name: DaemonName; running: RunningDaemon }[] = [];
  const close = async (): Promise<void> => {
    for (const { running } of [...started].reverse()) await running.close();
  };
  const results = await Promise.allSettled(config.daemons.map(async ({ name, configPath }) => ({ name, running: await start[name](configPath, hooks) })));
  // In the config's order, whichever listened first.
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  try {
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    if (config.readyFile) await announceReady(config.readyFile, started);
  } catch (error) {
    await close();
    throw error;
  }
  return { daemons: started, close };
}

async function announceReady(path: string, daemons: ReadonlyArray<{ name: DaemonName; running: RunningDaemon }>): Promise<void> {
  const addresses: Partial<Record<DaemonName, Address>> = {};
  for (const { name, running } of daemons) addresses[name] = running.address;
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ status: 'ok', pid: process.pid, daemons: addresses })}\n`);
  await rename(temp, path);
}
