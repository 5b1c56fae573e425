/**
 * A real git gate for a test: a bare repo seeded from a source repo (main
 * with two commits, and a `feature` branch), a hooks directory whose
 * pre-receive runs hook-main.ts through tsx with the node running the tests,
 * the config written to a file and loaded the way the bundle does, the
 * daemon on 127.0.0.1 port 0. Stopped when the test ends. `auditLines` reads
 * the audit log back, parsed.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import type { GitGateConfig } from '../../../daemons/git-gate/config.js';
import { loadGitGateConfig } from '../../../daemons/git-gate/config.js';
import type { RunningGitGate } from '../../../daemons/git-gate/daemon.js';
import { startGitGate } from '../../../daemons/git-gate/daemon.js';
import { tempDir } from '../../state/temp-dir.js';
import type { GitClient } from './git-client.js';
import { gitClient } from './git-client.js';

export const HOOK_MAIN = fileURLToPath(new URL('../../../daemons/git-gate/hook-main.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

export interface StartedGate {
  readonly gate: RunningGitGate;
  /** http://127.0.0.1:<port>/a.git */
  readonly url: string;
  readonly baseUrl: string;
  readonly git: GitClient;
  readonly dir: string;
  /** The bare repo the gate serves. */
  readonly bareRepo: string;
  readonly config: GitGateConfig;
  auditLines(): Promise<Record<string, unknown>[]>;
  /** A fresh clone of the gate's repo, over HTTP. */
  clone(): Promise<string>;
}

/** The pre-receive script: a shell line that execs node on `entry` (a .ts through tsx, or a bundled .cjs). */
export async function writeHooksDir(dir: string, entry: string): Promise<string> {
  const hooksDir = join(dir, 'hooks');
  await mkdir(hooksDir, { recursive: true });
  const loader = entry.endsWith('.ts') ? ` --import '${TSX}'` : '';
  await writeFile(join(hooksDir, 'pre-receive'), `#!/bin/sh\nexec '${process.execPath}'${loader} '${entry}'\n`);
  await chmod(join(hooksDir, 'pre-receive'), 0o755);
  return hooksDir;
}

export async function seedBareRepo(git: GitClient, dir: string): Promise<string> {
  const source = join(dir, 'source');
  await git.ok(['init', '--quiet', source]);
  await git.commit(source, { 'README.md': '# seeded\n' }, 'first');
  await git.ok(['checkout', '--quiet', '-b', 'feature'], source);
  await git.commit(source, { 'feature.txt': 'feature\n' }, 'feature work');
  await git.ok(['checkout', '--quiet', 'main'], source);
  await git.commit(source, { 'src/app.js': 'console.log(1);\n' }, 'second');
  const bare = join(dir, 'root', 'a.git');
  await git.ok(['clone', '--quiet', '--bare', source, bare]);
  return bare;
}

export async function startGate(overrides: Partial<GitGateConfig> = {}, hookEntry = HOOK_MAIN): Promise<StartedGate> {
  const dir = await tempDir();
  const git = await gitClient();
  const bareRepo = await seedBareRepo(git, dir);
  const raw: GitGateConfig = {
    listen: { host: '127.0.0.1', port: 0 },
    root: join(dir, 'root'),
    repo: 'a.git',
    push: ['refs/heads/bottle/a/*'],
    secrets: [],
    auditLog: join(dir, 'log', 'git-gate.jsonl'),
    hooksDir: await writeHooksDir(dir, hookEntry),
    ...overrides,
  };
  const configPath = join(dir, 'git-gate.json');
  await writeFile(configPath, JSON.stringify(raw));
  const config = await loadGitGateConfig(configPath);
  const gate = await startGitGate(config, { configPath });
  onTestFinished(() => gate.close());
  const baseUrl = `http://127.0.0.1:${gate.address.port}`;
  const url = `${baseUrl}/a.git`;
  let clones = 0;
  return {
    gate,
    url,
    baseUrl,
    git,
    dir,
    bareRepo,
    config,
    async auditLines() {
      const text = await readFile(config.auditLog, 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async clone() {
      const work = join(dir, `work-${++clones}`);
      await git.ok(['clone', '--quiet', url, work]);
      return work;
    },
  };
}

/** The gate's value of `ref`, or undefined when it has no such ref. */
export async function refAtGate(started: StartedGate, ref: string): Promise<string | undefined> {
  const result = await started.git.run(['rev-parse', '--verify', '--quiet', ref], started.bareRepo);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

export interface PushDecision {
  kind: 'push';
  decision: 'accepted' | 'refused';
  updates: { ref: string; kind: string }[];
  refusals: { ref: string | null; rule: string; message: string }[];
}

/** The hook's decisions in the audit log, in order. */
export async function pushDecisions(started: StartedGate): Promise<PushDecision[]> {
  return (await started.auditLines()).filter((line) => line['kind'] === 'push') as unknown as PushDecision[];
}
