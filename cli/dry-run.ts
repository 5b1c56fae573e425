/**
 * `bottle up --dry-run`: the plan — each task of each bottle, run or up to
 * date, and why — printed, with nothing run, locked or written.
 */
import { planRun } from '../lib/engine/index.js';
import { shellQuote } from '../lib/process/shell-quote.js';
import { itemLabel } from '../lib/report/item-label.js';
import { createRecordStore } from '../lib/state/record-store.js';
import { upGraph } from '../graphs/up.js';
import type { CliContext } from './context.js';
import { itemsOf } from './run-locked.js';
import { simulate } from './simulate.js';
import type { Session } from './session.js';

export async function dryRun(session: Session, cli: CliContext, json: boolean, force: boolean): Promise<number> {
  const plan = await planRun(upGraph(), {
    items: itemsOf(session),
    shared: session.runEnv,
    recorder: createRecordStore(session.stateRoot),
    force,
  });
  const toRun = plan.filter((p) => p.action === 'run').length;
  // Bottles with work to do whose backend can record: show the exact commands a fresh up of them runs.
  const changing = new Set(plan.filter((p) => p.action === 'run').map((p) => p.item));
  const commands = await simulate({ ...session, planned: session.planned.filter((p) => changing.has(p.plan.slug)) });
  if (json) {
    for (const p of plan) cli.stdout(`${JSON.stringify({ v: 1, type: 'plan', bottle: p.item, task: p.task, action: p.action, reason: p.reason })}\n`);
    for (const c of commands) cli.stdout(`${JSON.stringify({ v: 1, type: 'command', bottle: c.bottle, task: c.task, argv: c.argv })}\n`);
    cli.stdout(`${JSON.stringify({ v: 1, type: 'plan-end', run: toRun, upToDate: plan.length - toRun })}\n`);
    return 0;
  }
  const width = Math.max(...plan.map((p) => itemLabel(p.item).length + p.task.length + 1));
  cli.stdout(`Plan for ${session.manifestPath}:\n`);
  for (const p of plan) cli.stdout(`  ${p.action === 'run' ? '+' : '='} ${`${itemLabel(p.item)} ${p.task}`.padEnd(width)}  ${p.reason}\n`);
  if (commands.length > 0) {
    cli.stdout('Commands a fresh up of the smolvm bottles runs (recorded, not run):\n');
    for (const c of commands) cli.stdout(`  [${itemLabel(c.bottle)} ${c.task}] ${c.argv.map(shellQuote).join(' ')}\n`);
  }
  cli.stdout(`${toRun} to run, ${plan.length - toRun} up to date. Nothing was changed (dry run).\n`);
  return 0;
}

