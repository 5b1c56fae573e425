/** The bottle of one agent as the state root knows it (or a sentence saying how to bring it up), and attaching to it. */
import { backendOfBottle } from './bottle-backend.js';
import { locateManifest } from '../lib/manifest/locate.js';
import { knownBottles, type KnownBottle } from '../lib/plan/known-bottles.js';
import { stateRootOf } from './state-root.js';
import type { CliContext } from './context.js';
import { UsageError } from './usage-error.js';

export async function findBottle(cli: CliContext, agent: string | undefined, file: string | undefined, stateDir: string | undefined): Promise<KnownBottle> {
  if (!agent) {
    const names = (await findBottles(cli, [], file, stateDir)).map((b) => b.plan.agent);
    throw new UsageError(`name an agent; bottles up: ${names.join(', ') || '(none)'}`);
  }
  return (await findBottles(cli, [agent], file, stateDir))[0]!;
}

/** The bottles of the named agents, in that order, or (none named) every bottle the state knows for the manifest. */
export async function findBottles(cli: CliContext, agents: readonly string[], file: string | undefined, stateDir: string | undefined): Promise<KnownBottle[]> {
  const manifest = await locateManifest({ ...(file ? { file } : {}), cwd: cli.cwd });
  const root = stateRootOf(stateDir, cli);
  const bottles = knownBottles(root, manifest);
  if (agents.length === 0) return bottles;
  const names = bottles.map((b) => b.plan.agent);
  return agents.map((agent) => {
    const found = bottles.find((b) => b.plan.agent === agent);
    if (!found) throw new UsageError(`agent "${agent}" has no bottle from ${manifest} (bottles: ${names.join(', ') || 'none'}); run \`bottle up ${agent}\` first`);
    return found;
  });
}

/** Runs argv in the bottle's agent machine as its user, in its workspace, on this terminal; its exit code. */
export async function attachTo(bottle: KnownBottle, argv: readonly string[], cli: CliContext): Promise<number> {
  const { plan } = bottle;
  return (await backendOfBottle(plan)).attach(plan.machine, argv, { user: plan.user, cwd: plan.guestWorkspace, tty: cli.isTTY });
}
