/**
 * The bottle-sized repairs of `bottle doctor --fix`, as runs of the graphs
 * every command uses: bringing bottles up again from their manifest (one up
 * run per manifest, each bottle exactly as planned before, copies included)
 * and purging those no manifest wants (one down run with purge). Both hold
 * the bottles' locks, waiting for another run that holds one. Nothing is
 * printed but one line per run begun; what failed is returned, by slug.
 */
import { dirname } from 'node:path';
import type { RunResult } from '../lib/engine/index.js';
import { preflight } from '../lib/plan/preflight.js';
import type { BottlePlan } from '../lib/plan/types.js';
import { downGraph } from '../graphs/down.js';
import { upGraph } from '../graphs/up.js';
import type { CliContext } from './context.js';
import { runLimits, runLocked } from './run-locked.js';
import { openSession, planSession } from './session.js';

/** Waits for a run that holds a bottle, or the images, as `bottle up` does (doctor judged no held bottle). */
function locking(cli: CliContext) {
  return { command: 'bottle doctor --fix', wait: true, onWait: (message: string) => cli.stderr(`bottle: ${message}\n`) };
}

/** Brings the bottles up again; what went wrong, by slug. */
export async function reprovision(plans: readonly BottlePlan[], root: string, cli: CliContext, say: (line: string) => void): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  for (const [manifest, group] of byManifest(plans)) {
    say(`bringing up ${group.map((p) => p.agent).join(', ')} again from ${manifest}`);
    try {
      const session = await openSession({
        file: manifest,
        stateDir: root,
        agents: [],
        instances: group.map((p) => ({ name: p.agent, agent: p.definition })),
        env: cli.env,
        cwd: dirname(manifest),
        withSubnets: true,
      });
      const problems = await preflight(session.planned.map((p) => p.plan));
      if (problems.length > 0) throw new Error(problems.join('; '));
      const result = await runLocked(session, upGraph(), { record: true, limits: runLimits({}), signal: cli.signal, locking: locking(cli) });
      failuresOf(result, group, errors);
    } catch (error) {
      for (const p of group) errors.set(p.slug, `${(error as Error).message}; run \`bottle up -f ${manifest}\` to see more`);
    }
  }
  return errors;
}

/** Takes the bottles down and deletes their state dirs; what went wrong, by slug. */
export async function purge(plans: readonly BottlePlan[], root: string, cli: CliContext, say: (line: string) => void): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  say(`taking down ${plans.map((p) => p.slug).join(', ')} and deleting their state`);
  try {
    const session = planSession(plans[0]!.manifest, root, plans, cli.env);
    const result = await runLocked(session, downGraph({ purge: true }), { record: false, limits: runLimits({}), signal: cli.signal, locking: locking(cli) });
    failuresOf(result, plans, errors);
  } catch (error) {
    for (const p of plans) errors.set(p.slug, (error as Error).message);
  }
  return errors;
}

function byManifest(plans: readonly BottlePlan[]): Map<string, BottlePlan[]> {
  const out = new Map<string, BottlePlan[]>();
  for (const p of plans) out.set(p.manifest, [...(out.get(p.manifest) ?? []), p]);
  return out;
}

/** A bottle failed when one of its nodes, or a run-scoped one (the images), did not succeed. */
function failuresOf(result: RunResult, plans: readonly BottlePlan[], errors: Map<string, string>): void {
  if (result.status === 'ok') return;
  const bad = [...result.nodes.values()].filter((n) => n.status === 'failed' || n.status === 'cancelled');
  const shared = bad.filter((n) => !plans.some((p) => p.slug === n.item));
  for (const p of plans) {
    const own = [...shared, ...bad.filter((n) => n.item === p.slug)];
    const blocked = [...result.nodes.values()].some((n) => n.item === p.slug && n.status === 'blocked');
    if (own.length === 0 && !blocked) continue;
    const said = own.map((n) => `${n.task} ${n.status}${n.record.error ? `: ${n.record.error.message}` : ''}`);
    errors.set(p.slug, said.length > 0 ? said.join('; ') : `the run ended ${result.status}`);
  }
}
