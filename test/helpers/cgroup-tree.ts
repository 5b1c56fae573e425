/**
 * Removes a cgroup a test engine's containers lived under (its
 * `--cgroup-parent`), in every cgroup hierarchy mounted here (v1 controllers,
 * name=systemd, the v2 one): kills by pid whatever still runs in it, then
 * removes its directories, deepest first. Container processes need this when
 * their engine died without stopping them: they run in a pid namespace of
 * their own, their command lines name nothing of the engine, and only the
 * cgroup says whose they are. runc also leaves the parent directory itself
 * behind after a clean run. It reads and writes nothing outside that cgroup.
 */
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Errors are returned, not thrown, so the caller's cleanup goes on. */
export async function removeCgroupTree(parent: string): Promise<Error[]> {
  if (!/^\/[\w.-]+$/.test(parent)) throw new TypeError(`expected a cgroup parent like /bbeng-1a2b3c, got "${parent}"`);
  const errors: Error[] = [];
  for (const root of await cgroupMounts()) {
    const top = join(root, parent);
    const dirs = await tree(top);
    for (const dir of dirs) {
      const pids = (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
    for (const dir of dirs.reverse()) {
      // A killed process leaves its cgroup when it has exited: a moment.
      for (let tries = 0; ; tries++) {
        const error = await rmdir(dir).then(() => undefined, (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : e));
        if (!error) break;
        if (tries >= 50) {
          errors.push(new Error(`could not remove the cgroup ${dir}: ${error.message}; see ${join(dir, 'cgroup.procs')}`));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
  return errors;
}

/** Whether any hierarchy still has the cgroup. */
export async function cgroupTreeExists(parent: string): Promise<boolean> {
  for (const root of await cgroupMounts()) if ((await tree(join(root, parent))).length) return true;
  return false;
}

/** Where each cgroup hierarchy is mounted. */
async function cgroupMounts(): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  return table.split('\n').flatMap((line) => {
    const [mount, fs] = line.split(' - ');
    const fstype = fs?.split(' ')[0];
    const point = mount?.split(' ')[4];
    return point && (fstype === 'cgroup' || fstype === 'cgroup2') ? [point] : [];
  });
}

/** `top` and every directory under it, parents before children; empty when `top` is missing. */
async function tree(top: string): Promise<string[]> {
  const entries = await readdir(top, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return [];
  const below = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => tree(join(top, e.name))));
  return [top, ...below.flat()];
}
