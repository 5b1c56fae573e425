/**
 * `bottle logs <agent> [--follow] [--denied] [--json] [--machine]`: the
 * bottle's egress audit (every allow and deny of its proxy, rotated files
 * first) as readable lines (lib/report/egress-lines.ts), or with `--json` one
 * entry per line; `--machine` prints the agent machine's own output instead.
 * `--follow` keeps printing what comes until Ctrl-C, across rotations.
 */
import { backendOfBottle } from '../bottle-backend.js';
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { egressLine, isDenied, parseEgressLog, type EgressEntry } from '../../lib/report/egress-lines.js';
import { terminalLines } from '../../lib/report/terminal-text.js';
import { bottleFiles } from '../../lib/state/layout.js';
import { pullBundleDir } from '../../lib/provision/bundle-sync.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export const LOGS_HELP = `Usage: bottle logs <agent> [--follow] [--denied] [--json] [--machine] [-f FILE] [--state-dir DIR]

What the agent's proxy let through and refused, oldest first: time, decision, method,
host:port (and path, for an inspected host), status, and the rule or reason.
  --denied    only what was refused (by the allowlist or a rule)
  --json      one audit entry per line, as JSON
  --follow    keep printing new entries until Ctrl-C
  --machine   the agent machine's own output instead (Docker only)
`;

const FOLLOW_EVERY_MS = 250;
/** What is read of one log file at most; the proxy rotates past 64 MiB by default. */
const MAX_READ = 256 * 1024 * 1024;

export async function logs(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('logs', args, { ...COMMON_OPTIONS, follow: { type: 'boolean' }, denied: { type: 'boolean' }, json: { type: 'boolean' }, machine: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(LOGS_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`bottle logs takes one agent, got ${positionals.length}: ${positionals.join(', ')}`);
  const bottle = await findBottle(cli, positionals[0], values.file, values['state-dir']);
  if (values.machine) {
    if (values.denied || values.json) throw new UsageError('--machine prints the machine\'s own output; --denied and --json are for the egress audit');
    const text = (chunk: Buffer) => terminalLines(chunk.toString('utf8'));
    await (await backendOfBottle(bottle.plan)).logs(bottle.plan.machine, { follow: Boolean(values.follow), signal: cli.signal, stdout: (c) => cli.stdout(text(c)), stderr: (c) => cli.stderr(text(c)) });
    return 0;
  }
  const backend = await backendOfBottle(bottle.plan);
  // Where the bundle's logs are not this host's files, they are pulled first (lib/provision/bundle-sync.ts).
  const pull = () => pullBundleDir(backend, bottle.plan, 'logs', { signal: cli.signal }).catch((error: unknown) => {
    if (!cli.signal.aborted) throw error;
  });
  await pull();
  const log = bottleFiles(bottle.plan.stateDir).auditLog;
  const show = (entries: readonly EgressEntry[]) => {
    for (const entry of entries) {
      if (values.denied && !isDenied(entry)) continue;
      cli.stdout(values.json ? `${JSON.stringify({ agent: bottle.plan.agent, ...entry })}\n` : `${egressLine(entry)}\n`);
    }
  };
  for (const older of [`${log}.2`, `${log}.1`]) show(parseEgressLog((await readFrom(older, 0)).text));
  let { text, size, ino } = await readFrom(log, 0);
  show(parseEgressLog(text));
  let rest = text.endsWith('\n') ? '' : text.slice(text.lastIndexOf('\n') + 1);
  while (values.follow && !cli.signal.aborted) {
    await sleep(FOLLOW_EVERY_MS, undefined, { signal: cli.signal }).catch(() => undefined);
    await pull();
    const now = await stat(log).catch(() => undefined);
    if (!now) continue;
    // Rotated (a new file under the name) or cut: read the new one from its start.
    const from = now.ino !== ino || now.size < size ? 0 : size;
    if (from === 0) rest = '';
    const more = await readFrom(log, from);
    ({ size, ino } = more);
    const lines = rest + more.text;
    const cut = lines.lastIndexOf('\n');
    show(parseEgressLog(lines.slice(0, cut + 1)));
    rest = lines.slice(cut + 1);
  }
  return 0;
}

/** The text of `path` from `offset` (empty when it does not exist), and where it ends. */
async function readFrom(path: string, offset: number): Promise<{ text: string; size: number; ino: number }> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return { text: '', size: 0, ino: -1 };
  try {
    const info = await handle.stat();
    const length = Math.min(Math.max(0, info.size - offset), MAX_READ);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, offset);
    return { text: buffer.toString('utf8'), size: offset + length, ino: info.ino };
  } finally {
    await handle.close();
  }
}
