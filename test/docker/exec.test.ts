/**
 * execInContainer on a real dockerd: the command's own output and exit code
 * (the pid line of the wrapper taken out), and a cancelled exec that does
 * not go on running in the container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execInContainer } from '../../lib/docker/exec.js';
import { dockerOut } from '../helpers/docker.js';

const NAME = `bottle-test-exec-${process.pid}`;

/** The command lines of every process in the container but the listing's own. */
async function processes(): Promise<string[]> {
  const r = await dockerOut(['exec', NAME, 'sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done']);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('/proc/'));
}

beforeAll(async () => {
  await dockerOut(['rm', '-f', NAME]);
  const run = await dockerOut(['run', '-d', '--name', NAME, '--label', 'bot-bottle.test=1', 'bot-bottle/base:bookworm', 'sleep', 'infinity']);
  expect(run.exitCode, run.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await dockerOut(['rm', '-f', NAME]);
});

describe('execInContainer', () => {
  it("gives the command's stdout, stderr and exit code, and nothing of the wrapper", async () => {
    const r = await execInContainer(NAME, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
    const lines: string[] = [];
    const logged = await execInContainer(NAME, ['sh', '-c', 'echo a; echo b >&2'], { log: (l) => lines.push(l) });
    expect(logged.stderr).toBe('b');
    expect(lines.sort()).toEqual(['a', 'b']);
  });

  it('ends a cancelled command in the container, its children too, as the user that ran it', async () => {
    const controller = new AbortController();
    const running = execInContainer(NAME, ['sh', '-c', 'sleep 301 & sleep 302; wait'], { signal: controller.signal, user: 'nobody' });
    await new Promise((r) => setTimeout(r, 500));
    expect((await processes()).filter((p) => p.startsWith('sleep 30'))).toHaveLength(2);
    controller.abort();
    await expect(running).rejects.toBeDefined();
    let left = await processes();
    for (let i = 0; i < 30 && left.some((p) => p.includes('sleep 30')); i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = await processes();
    }
    expect(left.filter((p) => p.includes('sleep 30'))).toEqual([]);
  });
});
