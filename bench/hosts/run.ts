/**
 * bench/hosts: what a bottle on another Docker Engine costs against one on
 * this machine's, measured in one run. A second engine is started in a
 * network namespace of the bench's own, reached over TLS (as a remote host
 * is); both engines share this machine's cores, so the figures are the
 * protocol's and the shipping's cost, not another machine's speed. Three
 * `bottle up -n N` of fresh state roots, each followed by `down`:
 *   local        the local engine (images built beforehand: not timed)
 *   remote-first the TLS engine, which has no image yet (they are shipped)
 *   remote       the TLS engine again (the images are there)
 * and the ratios of the two remote runs to the local one. BENCH_N sets N
 * (3). Needs root (network namespaces). The last line is the RESULT line.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startEngineInNetns } from '../../test/helpers/engine-in-netns.js';

const BOTTLE = fileURLToPath(new URL('../../dist/bin/bottle.js', import.meta.url));
const n = Number(process.env.BENCH_N ?? 3);

async function project(work: string, name: string, hosts: string): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = join(work, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'bottle.yaml'), `hosts:\n${hosts}\nbottles: { dev: {} }\nagents: { a: { bottle: dev } }\n`);
  return { dir, env: { ...process.env, BOTTLE_STATE_DIR: join(dir, 'state'), BOTTLE_OFFLINE: '1' } };
}

async function bottle(p: { dir: string; env: NodeJS.ProcessEnv }, args: string[]): Promise<number> {
  const started = performance.now();
  const r = await execa('node', [BOTTLE, ...args, '--progress', 'plain'], { cwd: p.dir, env: p.env, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`bottle ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${String(r.stdout).split('\n').slice(-20).join('\n')}`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/hosts needs root: it starts a Docker Engine in a network namespace');
  const work = await mkdtemp(join(tmpdir(), 'bottle-bench-hosts-'));
  const engine = await startEngineInNetns({ tls: true });
  try {
    const local = await project(work, 'local', '  local: {}');
    const remoteHost = `  b: { docker: "${engine.tcpUrl}", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } }`;
    const first = await project(work, 'remote-first', remoteHost);
    await mkdir(join(first.dir, 'certs'));
    for (const part of ['ca', 'cert', 'key'] as const) await copyFile(engine.tls![part], join(first.dir, 'certs', `${part}.pem`));
    // The images, built (or found) before anything is timed.
    await bottle(local, ['up', '-n', '1']);
    await bottle(local, ['down', '--purge']);
    console.log(`bench/hosts: bottle up -n ${n} on the local engine and on a TLS engine in a network namespace, node ${process.version}`);
    const times: Record<string, number> = {};
    for (const [label, p] of [['local', local], ['remote-first', first], ['remote', first]] as const) {
      times[label] = await bottle(p, ['up', '-n', String(n)]);
      const down = await bottle(p, ['down', '--purge']);
      console.log(`${label.padEnd(12)} up ${times[label]!.toFixed(1)} s, down ${down.toFixed(1)} s`);
    }
    const ratio = (label: string) => (times[label]! / times.local!).toFixed(2);
    console.log(`RESULT bottles=${n} local_s=${times.local!.toFixed(1)} remote_first_x=${ratio('remote-first')} remote_x=${ratio('remote')}`);
  } finally {
    await engine.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
