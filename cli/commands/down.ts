/** `bottle down [agents..] [--purge]`: remove the bottles' machines and networks. */
import { backendOfBottle } from '../bottle-backend.js';
import { logFile } from '../../lib/state/layout.js';
import { downGraph } from '../../graphs/down.js';
import { COMMON_OPTIONS, RUN_HELP, RUN_OPTIONS, reporterStreams, type CliContext } from '../context.js';
import { parse } from '../parse.js';
import { exitCodeOf } from '../exit-code.js';
import { parseProgress, reporterFor, resolveMode } from '../progress.js';
import { lockingOf, runLimits, runLocked } from '../run-locked.js';
import { openKnownSession } from '../session.js';
import type { BottlePlan } from '../../lib/plan/types.js';
import { cacheVolumeLabels } from '../../lib/backends/labels.js';

export const DOWN_HELP = `Usage: bottle down [agents..] [options]

Remove each bottle's machine, bundle and networks: every bottle brought up from
this manifest (copies and agents since removed included), or those of the named agents.

Options:
  -f, --file FILE          manifest
      --state-dir DIR      state root
      --purge              also delete the bottles' state (prompt, CA, records, logs), and,
                           when every bottle of the manifest goes, its cache volumes (caches:)
      --progress MODE      auto, plain or json
${RUN_HELP}`;

export async function down(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('down', args, {
    ...COMMON_OPTIONS,
    ...RUN_OPTIONS,
    // --all: every agent, which is already what no names means.
    all: { type: 'boolean' },
    purge: { type: 'boolean' },
    progress: { type: 'string' },
  });
  if (values.help) {
    cli.stdout(DOWN_HELP);
    return 0;
  }
  const mode = parseProgress(values.progress);
  const limits = runLimits(values);
  const session = await openKnownSession({
    file: values.file,
    stateDir: values['state-dir'],
    agents: positionals,
    env: cli.env,
    cwd: cli.cwd,
  });
  if (session.planned.length === 0) {
    cli.stdout(`no bottles of ${session.manifestPath} to take down (state: ${session.stateRoot})\n`);
    return 0;
  }
  const reporter = await reporterFor(resolveMode(mode, cli.isTTY), reporterStreams(cli), false);
  const result = await runLocked(session, downGraph({ purge: values.purge ?? false }), {
    record: false,
    limits,
    locking: lockingOf('down', args, values, cli.stderr),
    signal: cli.signal,
    onEvent: reporter.sink,
  });
  await reporter.finish(result, { logPath: (bottle, task) => logFile(session.stateRoot, bottle, task) });
  if (values.purge && positionals.length === 0 && result.status === 'ok') {
    const removed = await removeCaches(session.manifestPath, session.stateRoot, session.planned.map((p) => p.plan));
    if (removed.length > 0) cli.stderr(`bottle: removed the cache volume(s) ${removed.join(', ')}\n`);
  }
  return exitCodeOf(result.status);
}

/** The manifest's cache volumes (lib/manifest/caches.ts), by their labels: nothing of theirs is left once all its bottles are purged. */
async function removeCaches(manifest: string, stateRoot: string, plans: readonly BottlePlan[]): Promise<string[]> {
  const removed: string[] = [];
  // Each engine its bottles were on has the manifest's caches.
  const backends = new Set(await Promise.all(plans.map((plan) => backendOfBottle(plan))));
  for (const backend of backends) removed.push(...((await backend.removeVolumes?.(cacheVolumeLabels(manifest, stateRoot), {})) ?? []));
  return removed;
}
