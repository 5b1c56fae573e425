/**
 * `bottle status [--json] [--probe]`: what the records say of this manifest's
 * bottles; `--probe` also asks the backend whether their machines run. For
 * people, a table that fits the terminal, a total and the failed tasks
 * (lib/report/status-table.ts); with `--json`, one object whose shape is a
 * contract (docs/architecture.md, "Machine-readable output").
 */
import { recordOf } from '../../tasks/context.js';
import type { ready as readyTask } from '../../tasks/ready.js';
import { homedir } from 'node:os';
import { locateManifest } from '../../lib/manifest/locate.js';
import { knownBottles, type KnownBottle } from '../../lib/plan/known-bottles.js';
import { statusLines, type BottleState, type BottleStatus } from '../../lib/report/status-table.js';
import { logFile } from '../../lib/state/layout.js';
import { resolveStateRoot } from '../../lib/state/root.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { parse } from '../parse.js';

export const STATUS_HELP = `Usage: bottle status [--json] [--probe] [-f FILE] [--state-dir DIR]

Show each bottle of the manifest and its tasks, from the records.
  --json    {"v":1,"bottles":[{"agent","slug","backend","tasks":{...}}]}
  --probe   also check that each bottle's machines are running
`;

export async function status(args: string[], cli: CliContext): Promise<number> {
  const { values } = parse('status', args, { ...COMMON_OPTIONS, json: { type: 'boolean' }, probe: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(STATUS_HELP);
    return 0;
  }
  const manifest = await locateManifest({ ...(values.file ? { file: values.file } : {}), cwd: cli.cwd });
  const root = resolveStateRoot({ flag: values['state-dir'], env: cli.env, homedir: homedir(), cwd: cli.cwd });
  const bottles = knownBottles(root, manifest);
  const machines = values.probe ? await probe(bottles) : undefined;
  if (values.json) {
    cli.stdout(`${JSON.stringify({ v: 1, bottles: bottles.map((b) => asJson(b, machines)) })}\n`);
    return 0;
  }
  if (bottles.length === 0) {
    cli.stdout(`no bottles of ${manifest} have been brought up (state: ${root}); run \`bottle up\`\n`);
    return 0;
  }
  const lines = statusLines(
    bottles.map((b) => asRow(b, machines)),
    { columns: cli.columns ?? 80, logPath: (slug, task) => logFile(root, slug, task) },
  );
  cli.stdout(lines.map((line) => `${line}\n`).join(''));
  return 0;
}

function asRow(b: KnownBottle, machines: Map<string, string> | undefined): BottleStatus {
  const tasks = Object.fromEntries(
    Object.entries(b.record?.tasks ?? {}).map(([id, t]) => [id, { status: t.status, ...(t.error ? { error: t.error.message } : {}) }]),
  );
  return {
    agent: b.plan.agent,
    slug: b.slug,
    backend: b.plan.backend,
    state: stateOf(b),
    tasks,
    ...(machines ? { machine: machines.get(b.plan.machine) ?? '?' } : {}),
    ...(b.recordProblem ? { problem: b.recordProblem } : {}),
  };
}

function stateOf(b: KnownBottle): BottleState {
  const tasks = b.record?.tasks ?? {};
  const all = Object.values(tasks).map((t) => t.status);
  if (all.includes('failed')) return 'failed';
  if (all.includes('running') || all.includes('retrying')) return 'running';
  if (all.includes('cancelled')) return 'cancelled';
  const ready = recordOf<typeof readyTask>(b.record, 'ready')?.status;
  return ready === 'done' || ready === 'up-to-date' ? 'ready' : all.length === 0 ? 'down' : 'partial';
}

function asJson(b: KnownBottle, machines: Map<string, string> | undefined) {
  const ready = recordOf<typeof readyTask>(b.record, 'ready')?.output;
  const tasks = Object.fromEntries(
    Object.entries(b.record?.tasks ?? {}).map(([id, t]) => [
      id,
      { status: t.status, attempts: t.attempts, durationMs: Math.round(t.durationMs), ...(t.error ? { error: t.error.message } : {}) },
    ]),
  );
  return {
    agent: b.plan.agent,
    slug: b.slug,
    backend: b.plan.backend,
    state: stateOf(b),
    tasks,
    ...(ready ? { ready } : {}),
    ...(machines ? { machines: { agent: machines.get(b.plan.machine) ?? 'missing', bundle: machines.get(b.plan.bundle) ?? 'missing' } } : {}),
  };
}

async function probe(bottles: KnownBottle[]): Promise<Map<string, string>> {
  const { backendsForRun } = await import('../../lib/backends/registry.js');
  const backendFor = backendsForRun();
  const out = new Map<string, string>();
  for (const kind of new Set(bottles.map((b) => b.plan.backend))) {
    const names = bottles.filter((b) => b.plan.backend === kind).flatMap((b) => [b.plan.machine, b.plan.bundle]);
    for (const [name, state] of await backendFor(kind).status(names)) out.set(name, state);
  }
  return out;
}
