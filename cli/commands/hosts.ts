/**
 * `bottle hosts [--json]`: each host of the manifest (the local engine alone
 * when it has no `hosts:`), asked in parallel, each within HOST_TIMEOUT_MS:
 * whether it answers (else why, in one line), its engine's version, OS and
 * architecture, CPUs and memory, and the bottles of this state root running
 * on it (their agent containers) against its budget. Exit 0 when every host
 * answers, 1 otherwise. It changes nothing and places nothing.
 */
import { loadManifest } from '../../lib/manifest/load.js';
import type { Host } from '../../lib/manifest/types.js';
import { textTable } from '../../lib/report/text-table.js';
import { terminalText } from '../../lib/report/terminal-text.js';
import { MANIFEST_OPTIONS, type CliContext } from '../context.js';
import { shownEndpoint, writtenEndpoint } from '../../lib/hosts/host-endpoints.js';
import { noPositionals, parse } from '../parse.js';
import { stateRootOf } from '../state-root.js';
import { askHost, HOST_TIMEOUT_MS } from '../../lib/hosts/ask-host.js';


export const HOSTS_HELP = `Usage: bottle hosts [--json] [-f FILE] [--state-dir DIR]

Each host of the manifest's \`hosts:\` (the local engine alone without it), asked at
once, ${HOST_TIMEOUT_MS / 1000} s each: whether its Docker Engine answers (else why), its version, OS/arch,
CPUs and memory, and the bottles of this state root running on it against its budget.
Exit 0 when every host answers, 1 otherwise.

Options:
      --json             {"v":1,"hosts":[{"name","endpoint","reachable","error"?,"version"?,"os"?,
                         "arch"?,"cpus"?,"memoryBytes"?,"bottles","budget"?}]}
  -f, --file FILE        manifest (default: bottle.yaml, bottle.yml or bottle.json here)
      --state-dir DIR    state root (default: $BOTTLE_STATE_DIR, $XDG_STATE_HOME/bottle)
      --allow-outside DIR  let the hosts' TLS files (and the manifest's other paths) resolve into DIR too
`;

/** One host as --json writes it: fields are added, never renamed (docs/architecture.md). */
export interface HostReport {
  name: string;
  endpoint: string;
  reachable: boolean;
  error?: string;
  version?: string;
  os?: string;
  arch?: string;
  cpus?: number;
  memoryBytes?: number;
  /** Agent machines of this state root running there (0 when unreachable: not known). */
  bottles: number;
  budget?: number;
}

async function reportOf(host: Host, root: string, cli: CliContext): Promise<HostReport> {
  const budget = host.bottles !== undefined ? { budget: host.bottles } : {};
  const { endpoint, probe } = await askHost(host, root, cli.env, cli.signal);
  const base = { name: host.name, endpoint: endpoint ? shownEndpoint(endpoint) : writtenEndpoint(host) };
  if (!probe.reachable) return { ...base, reachable: false, error: probe.error, bottles: 0, ...budget };
  const { version, os, arch, cpus, memoryBytes, labelled } = probe;
  return { ...base, reachable: true, version, os, arch, cpus, memoryBytes, bottles: labelled, ...budget };
}

function tableLines(reports: readonly HostReport[], width: number): string[] {
  const cell = (text: string) => terminalText(text);
  return textTable(
    [
      { head: 'HOST', cells: reports.map((r) => cell(r.name)) },
      { head: 'STATE', cells: reports.map((r) => (r.reachable ? 'reachable' : 'unreachable')) },
      { head: 'BOTTLES', cells: reports.map((r) => (r.reachable ? `${r.bottles}${r.budget !== undefined ? `/${r.budget}` : ''}` : '-')) },
      { head: 'ENGINE', cells: reports.map((r) => (r.reachable ? `${r.version} ${r.os}/${r.arch}` : '-')) },
      { head: 'CPUS', cells: reports.map((r) => (r.reachable ? String(r.cpus) : '-')) },
      { head: 'MEMORY', cells: reports.map((r) => (r.reachable ? `${(r.memoryBytes! / 2 ** 30).toFixed(1)} GiB` : '-')) },
      { head: 'ENDPOINT', cells: reports.map((r) => cell(r.endpoint)), minWidth: 12 },
    ],
    width,
  );
}

export async function hosts(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('hosts', args, { ...MANIFEST_OPTIONS, json: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(HOSTS_HELP);
    return 0;
  }
  noPositionals('hosts', positionals);
  const loaded = await loadManifest({ ...(values.file ? { file: values.file } : {}), cwd: cli.cwd, allowOutside: values['allow-outside'] ?? [] });
  const root = stateRootOf(values['state-dir'], cli);
  const reports = await Promise.all(Object.values(loaded.manifest.hosts).map((host) => reportOf(host, root, cli)));
  const allReachable = reports.every((r) => r.reachable);
  if (values.json) {
    cli.stdout(`${JSON.stringify({ v: 1, hosts: reports })}\n`);
  } else {
    for (const line of tableLines(reports, cli.columns ?? 120)) cli.stdout(`${line}\n`);
    for (const r of reports) if (!r.reachable) cli.stderr(`bottle: host ${terminalText(r.name)} is unreachable: ${terminalText(r.error ?? '')}\n`);
  }
  return allReachable ? 0 : 1;
}
