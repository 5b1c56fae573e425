/**
 * `bottle status [--json] [--probe]`: what the records say of this manifest's
 * bottles, and whether `bottle stop` stopped them since their last run (its
 * mark, lib/state/stop-mark.ts); `--probe` also asks the backend whether
 * their machines run. For
 * people, a table that fits the terminal, a total and the failed tasks
 * (lib/report/status-table.ts); with `--json`, one object whose shape is a
 * contract (docs/architecture.md, "Machine-readable output").
 */
import type { Backend } from '../../lib/backends/types.js';
import { backendOfBottle } from '../bottle-backend.js';
import { isNamedHost } from '../../lib/hosts/backend-of-plan.js';
import { recordOf } from '../../tasks/context.js';
import type { ready as readyTask } from '../../tasks/ready.js';
import { locateManifest } from '../../lib/manifest/locate.js';
import { knownBottles, type KnownBottle } from '../../lib/plan/known-bottles.js';
import { statusLines, type BottleState, type BottleStatus } from '../../lib/report/status-table.js';
import { bottleFiles, logFile } from '../../lib/state/layout.js';
import { stoppedSinceLastRun } from '../../lib/state/stop-mark.js';
import { stateRootOf } from '../state-root.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';
import { join } from 'node:path';
import { execIn } from '../sessions.js';
import { readSessionMarks } from '../../lib/state/session-marks.js';
import { ageText } from '../../lib/report/age-text.js';
import { LIST_SESSIONS, parseSessions, type SessionState } from '../../lib/sessions/tmux.js';

export const STATUS_HELP = `Usage: bottle status [--json] [--probe] [-f FILE] [--state-dir DIR]

Show each bottle of the manifest and its tasks, from the records.
  --json    {"v":1,"bottles":[{"agent","slug","backend","host"?,"tasks":{...}}]}
  --probe   also check that each bottle's machines are running, and list the
            sessions of \`bottle claude\` in each running agent machine
`;

export async function status(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('status', args, { ...COMMON_OPTIONS, json: { type: 'boolean' }, probe: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(STATUS_HELP);
    return 0;
  }
  noPositionals('status', positionals);
  const manifest = await locateManifest({ ...(values.file ? { file: values.file } : {}), cwd: cli.cwd });
  const root = stateRootOf(values['state-dir'], cli);
  const bottles = knownBottles(root, manifest);
  const machines = values.probe ? await probe(bottles) : undefined;
  const sessions = machines ? await sessionsOf(bottles, machines) : undefined;
  if (values.json) {
    const withSessions = (b: KnownBottle) => ({ ...asJson(b, machines), ...(sessions ? { sessions: sessions.get(b.slug) ?? [] } : {}) });
    cli.stdout(`${JSON.stringify({ v: 1, bottles: bottles.map(withSessions) })}\n`);
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
  for (const b of bottles) {
    const line = sessionsLine(b, root, sessions?.get(b.slug));
    if (line) cli.stdout(`${line}\n`);
  }
  return 0;
}

/** What is known of a bottle's sessions: asked of its machine (--probe), else what bottle started, from its state. */
function sessionsLine(b: KnownBottle, root: string, probed: SessionState[] | undefined): string | undefined {
  const hint = `\`bottle attach ${b.plan.agent}\``;
  if (probed) return probed.length === 0 ? undefined : `sessions of ${b.plan.agent}: ${probed.map((s) => `${s.name} (${s.running ? 'running' : 'ended'})`).join(', ')}; ${hint}`;
  const marked = readSessionMarks(bottleFiles(join(root, b.slug)).sessions);
  if (marked.length === 0) return undefined;
  const started = marked.map((s) => `${s.name} (started ${ageText(Date.now() - Date.parse(s.startedAt)).toLowerCase()})`).join(', ');
  return `sessions of ${b.plan.agent}: ${started}; --probe says which still run; ${hint}`;
}

/** The tmux sessions in each running agent machine (none where it is not running or tmux has no server). */
async function sessionsOf(bottles: KnownBottle[], machines: Map<string, string>): Promise<Map<string, SessionState[]>> {
  const out = new Map<string, SessionState[]>();
  await Promise.all(
    bottles
      .filter((b) => machines.get(b.plan.machine) === 'running')
      .map(async (b) => {
        const listed = await execIn(b, LIST_SESSIONS).catch(() => undefined);
        out.set(b.slug, listed?.exitCode === 0 ? parseSessions(listed.stdout) : []);
      }),
  );
  return out;
}

function asRow(b: KnownBottle, machines: Map<string, string> | undefined): BottleStatus {
  const tasks = Object.fromEntries(
    Object.entries(b.record?.tasks ?? {}).map(([id, t]) => [id, { status: t.status, ...(t.error ? { error: t.error.message } : {}) }]),
  );
  return {
    agent: b.plan.agent,
    slug: b.slug,
    backend: b.plan.backend,
    ...(isNamedHost(b.plan.host) && { host: b.plan.host.name }),
    state: stateOf(b, machines),
    tasks,
    ...(machines ? { machine: machines.get(b.plan.machine) ?? '?' } : {}),
    ...(b.recordProblem ? { problem: b.recordProblem } : {}),
  };
}

/** From the record and the stop mark; with --probe, machines that both exist and neither runs are stopped too. */
function stateOf(b: KnownBottle, machines: Map<string, string> | undefined): BottleState {
  const tasks = b.record?.tasks ?? {};
  const all = Object.values(tasks).map((t) => t.status);
  if (all.includes('failed')) return 'failed';
  if (all.includes('running') || all.includes('retrying')) return 'running';
  if (all.includes('cancelled')) return 'cancelled';
  const probedStopped = machines !== undefined && [b.plan.machine, b.plan.bundle].every((m) => machines.get(m) === 'stopped');
  if (b.record && (probedStopped || stoppedSinceLastRun(b.stoppedAt, b.record))) return 'stopped';
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
    ...(isNamedHost(b.plan.host) && { host: b.plan.host.name }),
    state: stateOf(b, machines),
    tasks,
    ...(ready ? { ready } : {}),
    ...(machines ? { machines: { agent: machines.get(b.plan.machine) ?? 'missing', bundle: machines.get(b.plan.bundle) ?? 'missing' } } : {}),
  };
}

/** Each bottle's machines as their engines say, asked of every engine at once; an engine that does not answer: `unreachable`. */
async function probe(bottles: KnownBottle[]): Promise<Map<string, string>> {
  const byBackend = new Map<Backend, string[]>();
  for (const b of bottles) {
    const backend = await backendOfBottle(b.plan);
    byBackend.set(backend, [...(byBackend.get(backend) ?? []), b.plan.machine, b.plan.bundle]);
  }
  const out = new Map<string, string>();
  await Promise.all(
    [...byBackend].map(async ([backend, names]) => {
      try {
        for (const [name, state] of await backend.status(names, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })) out.set(name, state);
      } catch {
        for (const name of names) out.set(name, 'unreachable');
      }
    }),
  );
  return out;
}

/** How long status waits for one engine's answer. */
const PROBE_TIMEOUT_MS = 10_000;
