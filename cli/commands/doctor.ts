/**
 * `bottle doctor [--fix] [--json]`: what bottle left behind or lost track of,
 * across every manifest of the state root (lib/doctor/examine.ts), one line
 * each saying what, why and what `--fix` does; with `--fix`, repaired
 * (lib/doctor/repair.ts, the graphs through cli/doctor-repairs.ts). With
 * `--json`, one object on stdout and nothing else there. Exit 0 when nothing
 * is found or everything found was fixed, 1 when findings remain or a check
 * could not run, 130 when interrupted.
 */
import { backendOfPlan } from '../../lib/hosts/backend-of-plan.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { backendsForRun } from '../../lib/backends/registry.js';
import { examine } from '../../lib/doctor/examine.js';
import { findingJson, type Finding } from '../../lib/doctor/finding.js';
import { repair, type Repairs } from '../../lib/doctor/repair.js';
import { parseManifestText } from '../../lib/manifest/parse-text.js';
import { poolBase } from '../../lib/net/subnets.js';
import { egressName } from '../../lib/plan/slug.js';
import { terminalText } from '../../lib/report/terminal-text.js';
import type { CliContext } from '../context.js';
import { purge, reprovision } from '../doctor-repairs.js';
import { parse } from '../parse.js';
import { scannedBackends } from '../scanned-backends.js';
import { stateRootOf } from '../state-root.js';
import { UsageError } from '../usage-error.js';

export const DOCTOR_HELP = `Usage: bottle doctor [--fix] [--json] [--state-dir DIR] [--this-root-only]

Find what bottle left behind or lost track of, for every manifest whose bottles
the state root holds, and say for each what it is, why, and what --fix does:
  orphan        a container, machine or network labelled for this state root whose
                bottle it holds no plan or record of; --fix removes it
  gone-root     a container, machine or network labelled for another state root that
                no longer exists; --fix removes it
  stale-record  a bottle whose record says its machines were made, one of them gone;
                --fix brings it up again from its manifest, as \`bottle up\` would (as
                compose recreates a missing container); if the manifest, or the agent
                in it, is gone, nothing wants the bottle: --fix takes down what is left
                and deletes its state dir, gate repository included (\`bottle down --purge\`)
  stale-lock    a lock whose process no longer runs; --fix deletes it
  temp-file     what a killed run left half-written (untouched for a minute); --fix deletes it

Bottles a running \`bottle\` holds are left alone.

Options:
      --fix              repair what is found
      --json             {"v":1,"findings":[{"kind","subject","detail","fix"}],"fixed":[...],
                         "failed":[{"kind","subject","error"}],"problems":[...]}
      --this-root-only   neither report nor remove objects of other state roots
      --state-dir DIR    state root (default: $BOTTLE_STATE_DIR, $XDG_STATE_HOME/bottle)

Objects are told apart by their labels (bot-bottle.slug, bot-bottle.state-root),
never by their names; one made before objects carried their state root is this
root's only if the root names its bottle. A state root that cannot be found
(a drive not mounted) counts as gone: use --this-root-only then.
Exit 0 when nothing is found or all of it was fixed, 1 otherwise.
`;

export async function doctor(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('doctor', args, {
    'state-dir': { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    fix: { type: 'boolean' },
    json: { type: 'boolean' },
    'this-root-only': { type: 'boolean' },
  });
  if (values.help) {
    cli.stdout(DOCTOR_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`bottle doctor takes no arguments, got ${positionals.join(' ')}; see \`bottle doctor --help\``);
  const root = stateRootOf(values['state-dir'], cli);
  const backendFor = backendsForRun();
  const { findings, problems } = await examine({
    root,
    scanned: scannedBackends(root, cli.env),
    backendFor,
    backendOf: (where) => backendOfPlan(backendFor, where),
    agentsOf,
    otherRoots: !values['this-root-only'],
    now: Date.now(),
    signal: cli.signal,
  });
  const json = values.json ?? false;
  const say = json ? () => {} : (line: string) => cli.stdout(`${terminalText(line)}\n`);
  for (const finding of findings) say(lineOf(finding));
  let repairs: Repairs = { fixed: [], failed: [] };
  if (values.fix && findings.length > 0) {
    repairs = await repair(findings, {
      backendFor,
      // As plans name them (lib/plan/build-plan.ts): Docker's one per pool, smolvm's one per bottle.
      egressOf: (kind, network) => (kind === 'docker' ? egressName(poolBase(cli.env)) : `${network}-egress`),
      reprovision: (plans) => reprovision(plans, root, cli, say),
      purge: (plans) => purge(plans, root, cli, say),
      signal: cli.signal,
    });
    for (const f of repairs.fixed) say(`fixed ${f.kind} ${f.subject}`);
    for (const { finding, error } of repairs.failed) say(`not fixed: ${finding.kind} ${finding.subject}: ${error}`);
  }
  for (const problem of problems) cli.stderr(`bottle: ${terminalText(problem)}\n`);
  const left = findings.length - repairs.fixed.length;
  if (json) {
    const failed = repairs.failed.map(({ finding, error }) => ({ kind: finding.kind, subject: finding.subject, error }));
    cli.stdout(`${JSON.stringify({ v: 1, findings: findings.map(findingJson), fixed: repairs.fixed.map(findingJson), failed, problems })}\n`);
  } else {
    say(summary(findings.length, left, values.fix ?? false, root));
  }
  if (cli.signal.aborted) return 130;
  return left === 0 && problems.length === 0 ? 0 : 1;
}

function lineOf(f: Finding): string {
  return `${f.kind}: ${f.subject}: ${f.detail}; --fix: ${f.fix}`;
}

function summary(found: number, left: number, fixed: boolean, root: string): string {
  if (found === 0) return `nothing found: no orphans, stale records, stale locks or temp files (state: ${root})`;
  if (fixed) return `fixed ${found - left} of ${found} finding(s)${left > 0 ? `; ${left} remain` : ''}`;
  return `${found} finding(s); \`bottle doctor --fix\` repairs them`;
}

/** The agents a manifest's text names (its syntax only: the full check is the up run's); null when the file is gone. */
async function agentsOf(manifest: string): Promise<string[] | null> {
  if (!existsSync(manifest)) return null;
  const data = parseManifestText(await readFile(manifest, 'utf8'), manifest) as { agents?: unknown } | null;
  const agents = data?.agents;
  return agents && typeof agents === 'object' ? Object.keys(agents) : [];
}
