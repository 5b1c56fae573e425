/**
 * `bottle ls [--json]`: every bottle of the state root, whatever manifest
 * made it, with its state as its backend has it now (lib/listing). For
 * people, a table that fits the terminal and a total (lib/report/
 * bottle-list.ts); with `--json`, one object whose shape is a contract
 * (docs/architecture.md, "Machine-readable output"). What could not be asked
 * goes to stderr, and the exit code is 1 then. `bottle status` is the
 * per-manifest view of the records, tasks included.
 */
import { backendOfPlan } from '../../lib/hosts/backend-of-plan.js';
import { backendsForRun } from '../../lib/backends/registry.js';
import { LISTED_STATES } from '../../lib/listing/bottle-state.js';
import { listBottles } from '../../lib/listing/list-bottles.js';
import { bottleListLines } from '../../lib/report/bottle-list.js';
import { terminalText } from '../../lib/report/terminal-text.js';
import type { CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';
import { scannedBackends } from '../scanned-backends.js';
import { stateRootOf } from '../state-root.js';

export const LS_HELP = `Usage: bottle ls [--json] [--state-dir DIR]

Every bottle the state root holds, whatever manifest made it: its agent, state,
backend, when it was first made and its manifest. States, the first that holds:
  orphaned  its backend has objects labelled for this state root but the root holds
            no plan or record of it, or its record says its machines were made and
            one is gone (\`bottle up\` makes them anew, \`bottle doctor --fix\` repairs)
  busy      a running \`bottle\` (up, down, stop, start) holds it
  unknown   its backend could not be asked (said on stderr; exit 1)
  failed    a task of its last run failed (\`bottle status\` says which)
  down      taken down: its state kept, no record, no machines
  stopped   both machines exist and neither runs (\`bottle stop\`; \`bottle start\` or \`up\`)
  up        both machines run and its last run got to ready
  partial   anything else: one machine runs and the other does not, or a run did not finish

Options:
      --json             {"v":1,"bottles":[{"agent","slug","manifest","backend","state",
                         "createdAt","machines":{"agent","bundle"}}],"problems":[...]}
      --state-dir DIR    state root (default: $BOTTLE_STATE_DIR, $XDG_STATE_HOME/bottle)
`;

export async function ls(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('ls', args, {
    'state-dir': { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    cli.stdout(LS_HELP);
    return 0;
  }
  noPositionals('ls', positionals);
  const root = stateRootOf(values['state-dir'], cli);
  const backends = backendsForRun();
  const { bottles, problems } = await listBottles({ root, backendFor: backends, backendOf: (where) => backendOfPlan(backends, where), scanned: scannedBackends(root, cli.env), signal: cli.signal });
  if (values.json) {
    cli.stdout(`${JSON.stringify({ v: 1, bottles, problems })}\n`);
  } else if (bottles.length === 0) {
    cli.stdout(`no bottles in ${root}; \`bottle up\` brings a manifest's up\n`);
  } else {
    const rows = bottles.map((b) => ({ ...b, createdMs: b.createdAt === null ? null : Date.parse(b.createdAt) }));
    const lines = bottleListLines(rows, { columns: cli.columns ?? 80, now: Date.now(), stateOrder: LISTED_STATES });
    cli.stdout(lines.map((line) => `${line}\n`).join(''));
  }
  for (const problem of problems) cli.stderr(`bottle: ${terminalText(problem)}\n`);
  if (cli.signal.aborted) return 130;
  return problems.length === 0 ? 0 : 1;
}
