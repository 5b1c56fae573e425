/** Direct docker calls for tests: what a user would check by hand. */
import { execa } from 'execa';

export async function dockerOut(args: string[], input?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('docker', args, { reject: false, ...(input === undefined ? { stdin: 'ignore' as const } : { input }) });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs argv in a guest as `user` (the agent's user by default). */
export function guest(machine: string, argv: string[], user = 'node') {
  return dockerOut(['exec', '--user', user, machine, ...argv]);
}

export async function labelled(kind: 'container' | 'network' | 'volume', label: string): Promise<string[]> {
  const list = kind === 'container' ? ['ps', '-a', '--format', '{{.Names}}'] : [kind, 'ls', '--format', '{{.Name}}'];
  const r = await dockerOut([...list, '--filter', `label=${label}`]);
  return r.stdout.split('\n').filter(Boolean);
}
