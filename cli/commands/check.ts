/**
 * `bottle check [--json]`: whether this machine can run `bottle up`, before
 * the first one (lib/check/checks.ts): the Docker Engine and its version,
 * the platform, free disk, the base image, Node and npm, one line each, a
 * problem with what to do. With `--json`, one object on stdout and nothing
 * else there. Exit 0 when nothing is a problem, 1 otherwise, 130 when
 * interrupted. It changes nothing.
 */
import { CHECK_NAMES, ENGINE_TIMEOUT_MS, MIN_ENGINE_VERSION, MIN_FREE_BYTES, PULLABLE_TIMEOUT_MS, runChecks, type CheckItem } from '../../lib/check/checks.js';
import { REGISTRY_BASE, BUILT_BASE } from '../../lib/images/base-image.js';
import { terminalText } from '../../lib/report/terminal-text.js';
import type { CliContext } from '../context.js';
import { noPositionals, parse } from '../parse.js';
import { stateRootOf } from '../state-root.js';

export const CHECK_HELP = `Usage: bottle check [--json] [--state-dir DIR]

Whether this machine can run \`bottle up\`, asked before the first one; each
problem comes with what to do:
  engine      the Docker Engine (DOCKER_HOST, the Docker context, else the local
              socket) answers within ${ENGINE_TIMEOUT_MS / 1000} s, and its version (${MIN_ENGINE_VERSION} or later)
  platform    its OS/arch: the images, and Claude Code in them, are built for it
              (linux/amd64 or linux/arm64), whatever this machine is
  disk        free space on the engine's data root when the engine runs here, else
              on the state dir's filesystem (${MIN_FREE_BYTES / 2 ** 30} GiB or more)
  base-image  BOTTLE_BASE_IMAGE, else ${REGISTRY_BASE}, present or pullable (its
              registry asked, ${PULLABLE_TIMEOUT_MS / 1000} s at most), else ${BUILT_BASE} made before, else
              debootstrap (installed, a Debian mirror, root) to make it
  node        this Node against package.json's engines
  npm         npm runs and knows --os/--cpu/--libc

The engines a manifest's \`hosts:\` names are \`bottle hosts\`'s.

Options:
      --json             {"v":1,"ok":bool,"checks":[{"name","status":"ok"|"problem"|"skipped",
                         "detail","fix"?}]}
      --state-dir DIR    state root (default: $BOTTLE_STATE_DIR, $XDG_STATE_HOME/bottle)

Exit 0 when nothing is a problem, 1 otherwise.
`;

export async function check(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('check', args, {
    'state-dir': { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    cli.stdout(CHECK_HELP);
    return 0;
  }
  noPositionals('check', positionals);
  const stateRoot = stateRootOf(values['state-dir'], cli);
  const checks = await runChecks({ env: cli.env, stateRoot, signal: cli.signal });
  if (cli.signal.aborted) return 130;
  const problems = checks.filter((c) => c.status === 'problem');
  if (values.json) {
    cli.stdout(`${JSON.stringify({ v: 1, ok: problems.length === 0, checks })}\n`);
  } else {
    for (const item of checks) cli.stdout(linesOf(item));
    cli.stdout(problems.length === 0 ? 'all fine: `bottle up` can run here\n' : `${problems.length} problem(s): ${problems.map((p) => p.name).join(', ')}\n`);
  }
  return problems.length === 0 ? 0 : 1;
}

const WIDTH = Math.max(...CHECK_NAMES.map((n) => n.length));

function linesOf(item: CheckItem): string {
  const head = `${item.status.padEnd(8)} ${item.name.padEnd(WIDTH)}  `;
  const fix = item.fix ? `${' '.repeat(head.length)}fix: ${terminalText(item.fix)}\n` : '';
  return `${head}${terminalText(item.detail)}\n${fix}`;
}
