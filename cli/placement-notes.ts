/**
 * What a run says about where its bottles go before it starts: a warning
 * for each plain-TCP host it uses, and each bottle that is not started with
 * why (its host unreachable, no host with room), naming the host. Those
 * bottles make the run fail (exit 1); the others run.
 */
import { terminalText } from '../lib/report/terminal-text.js';
import type { CliContext } from './context.js';
import type { Session } from './session.js';
import { isNamedHost } from '../lib/hosts/backend-of-plan.js';

/** How the display names each bottle on a host the manifest names: `<slug>@<host>`. */
export function shownNames(session: Session): Map<string, string> {
  return new Map(session.planned.flatMap(({ plan }) => (isNamedHost(plan.host) ? [[plan.slug, `${plan.slug}@${plan.host.name}`]] : [])));
}

/** Where the run's bottles are, one line per host (`on host b: a-2, a-5`), when any is on a host the manifest names. */
function placementLines(session: Session): string[] {
  if (!session.planned.some((p) => isNamedHost(p.plan.host))) return [];
  const byHost = new Map<string, string[]>();
  for (const { plan } of session.planned) if (plan.host) byHost.set(plan.host.name, [...(byHost.get(plan.host.name) ?? []), plan.agent]);
  return [...byHost].map(([host, agents]) => `on host ${host}: ${agents.join(', ')}`);
}

/** Says it on stderr; the exit code the run owes for it (1 when a bottle is not started, else 0). */
export function sayPlacement(session: Session, cli: Pick<CliContext, 'stderr'>): number {
  for (const warning of session.warnings ?? []) cli.stderr(`bottle: ${terminalText(warning)}\n`);
  for (const line of placementLines(session)) cli.stderr(`bottle: ${terminalText(line)}\n`);
  const notStarted = session.notStarted ?? [];
  for (const { bottle, reason } of notStarted) cli.stderr(`bottle: ${terminalText(bottle)} not started: ${terminalText(reason)}\n`);
  return notStarted.length > 0 ? 1 : 0;
}
