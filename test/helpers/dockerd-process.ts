/**
 * One dockerd process run in a network namespace for a test, and everything
 * needed to be sure it is gone afterwards. `spawnDockerd` starts it with
 * `nsenter --net=<netns> dockerd ...`: nsenter joins only the network
 * namespace and then execs dockerd, so the pid it returns is dockerd's own
 * (`ip netns exec` would also remount /sys for the namespace, which hides the
 * cgroup mounts under /sys/fs/cgroup that dockerd needs). Output goes to a log
 * file. `stopDockerd` ends it by that pid (SIGTERM, then SIGKILL), then kills
 * by pid what it may have left (its containerd, container shims: any process
 * whose command line names the engine's directory, which only they can);
 * `unmountUnder` unmounts what is still mounted under the directory. It
 * decides no flags (engine-in-netns.ts does), does not find container
 * processes (cgroup-tree.ts does) and touches no process or mount outside
 * `dir`.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { execa } from 'execa';

export interface DockerdProcess {
  pid: number;
  /** Settles when the process has exited (and been reaped). */
  exited: Promise<void>;
  hasExited(): boolean;
  /** How it ended, once it has: `exit 1`, `signal SIGKILL`, or the spawn error. */
  howItEnded(): string | undefined;
}

export function spawnDockerd(netnsPath: string, args: readonly string[], logPath: string): DockerdProcess {
  // DOCKER_CERT_PATH would change dockerd's default TLS files, DOCKER_TMPDIR its temp dir: none of the caller's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DOCKER_')));
  const log = openSync(logPath, 'a');
  let ended: string | undefined;
  try {
    const child = spawn('nsenter', [`--net=${netnsPath}`, '--', 'dockerd', ...args], { stdio: ['ignore', log, log], env });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => resolve(void (ended = signal ? `signal ${signal}` : `exit ${code}`)));
      child.once('error', (error) => resolve(void (ended ??= `could not start: ${error.message}`)));
    });
    if (child.pid === undefined) throw new Error(`nsenter did not start (is util-linux installed?) for dockerd in ${netnsPath}`);
    return { pid: child.pid, exited, hasExited: () => ended !== undefined, howItEnded: () => ended };
  } finally {
    closeSync(log);
  }
}

/** Stops the process and what names its dir; errors are returned, not thrown, so cleanup goes on. */
export async function stopDockerd(proc: DockerdProcess, dir: string): Promise<Error[]> {
  const errors: Error[] = [];
  if (!proc.hasExited()) {
    signal(proc.pid, 'SIGTERM');
    // dockerd stops its containers (--shutdown-timeout) and its containerd first.
    if (!(await within(proc.exited, 20_000))) {
      signal(proc.pid, 'SIGKILL');
      if (!(await within(proc.exited, 5_000))) errors.push(new Error(`dockerd (pid ${proc.pid}) did not exit 5 s after SIGKILL`));
    }
  }
  for (const pid of await pidsNaming(dir)) signal(pid, 'SIGKILL');
  return errors;
}

/** Unmounts what dockerd left mounted under `dir` after a crash (its data root, container root file systems, netns files), deepest first. */
export async function unmountUnder(dir: string): Promise<Error[]> {
  const errors: Error[] = [];
  for (const mount of (await mountsUnder(dir)).reverse()) {
    const r = await execa('umount', [mount], { reject: false });
    if (r.exitCode !== 0 && (await execa('umount', ['-l', mount], { reject: false })).exitCode !== 0) errors.push(new Error(`could not unmount ${mount}: ${String(r.stderr).trim()}`));
  }
  return errors;
}

/** The last lines of the log, for an error message, without the gRPC connection chatter that buries the cause. */
export async function logTail(logPath: string, lines = 25): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch((error: Error) => `(no log: ${error.message})`);
  return text
    .trimEnd()
    .split('\n')
    .filter((line) => !line.includes('module=grpc'))
    .slice(-lines)
    .join('\n');
}

/** Processes whose command line names a path under `dir`. */
export async function pidsNaming(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some((arg) => arg === dir || arg.includes(`${dir}/`))) found.push(pid);
  }
  return found;
}

/** Mount points under `dir`, in mount order. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  return table
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
