/**
 * `bottle git fetch [agents..]` and `bottle git log <agent>`: what agents
 * pushed to their git gate, brought into the host repository as
 * `refs/remotes/bottle/<agent>/*` (lib/gate/fetch-back.ts), or listed. What
 * an agent wrote (ref names, commit messages) is printed with its control
 * characters escaped.
 */
import { fetchBack, agentLog, agentRefs } from '../../lib/gate/fetch-back.js';
import { gateRepoOf, gitFor } from '../../lib/gate/of-plan.js';
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { pullBundleDir } from '../../lib/provision/bundle-sync.js';
import { backendOfBottle } from '../bottle-backend.js';
import { terminalText } from '../../lib/report/terminal-text.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle, findBottles } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export const GIT_HELP = `Usage: bottle git fetch [agents..] [-f FILE] [--state-dir DIR]
       bottle git log <agent> [-n N]

  fetch   bring what each agent pushed to its git gate into the host repository
          (git.repo) as refs/remotes/bottle/<agent>/<branch>; no other ref is touched
  log     the commits an agent pushed that the host repository's branches do not have
`;

export async function git(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('git', args, { ...COMMON_OPTIONS, 'max-count': { type: 'string', short: 'n' } });
  const [sub, ...names] = positionals;
  if (values.help) {
    cli.stdout(GIT_HELP);
    return 0;
  }
  if (sub === undefined) throw new UsageError('name a `bottle git` command: fetch or log; see `bottle git --help`');
  if (sub === 'fetch') return fetch(await findBottles(cli, names, values.file, values['state-dir']), names.length > 0, cli);
  if (sub === 'log') {
    if (names.length > 1) throw new UsageError(`bottle git log takes one agent, got ${names.length}: ${names.join(', ')}`);
    const max = values['max-count'] === undefined ? 50 : Number(values['max-count']);
    if (!Number.isInteger(max) || max < 1) throw new UsageError(`-n must be a whole number >= 1, got "${values['max-count']}"`);
    return log(await findBottle(cli, names[0], values.file, values['state-dir']), max, cli);
  }
  throw new UsageError(`unknown \`bottle git\` command "${sub}"; use fetch or log`);
}

async function fetch(bottles: readonly KnownBottle[], named: boolean, cli: CliContext): Promise<number> {
  if (bottles.length === 0) {
    cli.stdout('no bottles of this manifest have been brought up; run `bottle up`\n');
    return 0;
  }
  let fetched = 0;
  for (const { plan } of bottles) {
    const gateRepo = gateRepoOf(plan);
    if (!plan.git) {
      if (named) throw new UsageError(`agent "${plan.agent}" has no git.repo in its bottle "${plan.bottle}", so there is no host repository to fetch into; set git.repo in the manifest`);
      continue;
    }
    await pullGateRepo(plan, cli.signal);
    if (!existsSync(join(gateRepo, 'HEAD'))) {
      cli.stdout(`${plan.agent}: no gate repository yet; run \`bottle up ${plan.agent}\`\n`);
      continue;
    }
    const refs = await fetchBack(await gitFor(plan), { gateRepo, hostRepo: plan.git.repo, agent: plan.agent, push: plan.gate.push, signal: cli.signal });
    if (refs.length === 0) cli.stdout(`${plan.agent}: nothing pushed yet\n`);
    for (const r of refs) cli.stdout(`${plan.agent}: ${terminalText(r.ref)} -> ${terminalText(r.into)} (${r.commit.slice(0, 12)})\n`);
    fetched += refs.length;
  }
  if (fetched > 0) cli.stdout(`${fetched} ref(s) fetched; see them with \`git branch -r --list 'bottle/*'\`\n`);
  return 0;
}

async function log(bottle: KnownBottle, max: number, cli: CliContext): Promise<number> {
  const { plan } = bottle;
  const gateRepo = gateRepoOf(plan);
  await pullGateRepo(plan, cli.signal);
  if (!existsSync(join(gateRepo, 'HEAD'))) throw new UsageError(`agent "${plan.agent}" has no gate repository yet; run \`bottle up ${plan.agent}\``);
  const git = await gitFor(plan);
  const refs = await agentRefs(git, gateRepo, plan.agent, plan.gate.push);
  if (refs.length === 0) {
    cli.stdout(`${plan.agent} has pushed nothing yet (it may push to ${plan.gate.push.join(', ') || 'no ref: git.push is empty'})\n`);
    return 0;
  }
  for (const { ref, lines } of await agentLog(git, gateRepo, refs, max)) {
    cli.stdout(`${terminalText(ref.ref)} (${ref.commit.slice(0, 12)})${plan.git ? ` -> ${terminalText(ref.into)} after \`bottle git fetch\`` : ''}\n`);
    for (const line of lines) cli.stdout(`  ${terminalText(line)}\n`);
    if (lines.length === 0) cli.stdout('  (no commit the other branches do not have)\n');
  }
  return 0;
}

/** Where the gate repository is not this host's files, what the bundle has is pulled first (lib/provision/bundle-sync.ts). */
async function pullGateRepo(plan: BottlePlan, signal: AbortSignal): Promise<void> {
  await pullBundleDir(await backendOfBottle(plan), plan, 'git', { signal });
}
