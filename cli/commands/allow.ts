/**
 * `bottle allow <agent> <host[:port]> [--inspect]` and `bottle deny <agent>
 * <host>`: change a running bottle's egress policy at once, no restart (the
 * proxy reloads its policy file within a second). The change is kept in the
 * bottle's live rules (lib/policy/live-rules.ts); it says whether the
 * manifest still differs, and that the next `bottle up` drops live rules
 * unless --keep-live-rules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EgressRule } from '../../lib/manifest/egress.js';
import { egressPolicy, writeEgressPolicy } from '../../lib/policy/egress-policy.js';
import { liveRuleOf, readLiveRules, ruleText, sameDestination, writeLiveRules } from '../../lib/policy/live-rules.js';
import { bottleFiles } from '../../lib/state/layout.js';
import { bundleOwner, handOver } from '../../lib/state/bundle-owner.js';
import { pushBundleConfig } from '../../lib/provision/bundle-sync.js';
import { backendOfBottle } from '../bottle-backend.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

const USAGE = {
  allow: 'bottle allow <agent> <host[:port]> [-f FILE] [--state-dir DIR]',
  deny: 'bottle deny <agent> <host|*.domain> [-f FILE] [--state-dir DIR]',
};

const helpOf = (verb: 'allow' | 'deny') => `Usage: ${USAGE[verb]}
       ${USAGE[verb === 'allow' ? 'deny' : 'allow']}

Change what a running bottle's proxy lets through, at once (no restart):
  allow   let the agent reach host[:port] (as egress.allow takes it; no port: 80 and 443)
  deny    refuse host (or *.domain) even where an allow rule matches
The change lasts until the next \`bottle up\`, which returns to the manifest
unless given --keep-live-rules. \`bottle logs <agent> --denied\` shows what was refused.
`;

const KEEP = 'the next `bottle up` returns to the manifest unless given --keep-live-rules';

export async function allow(args: string[], cli: CliContext): Promise<number> {
  return change('allow', args, cli);
}

export async function deny(args: string[], cli: CliContext): Promise<number> {
  return change('deny', args, cli);
}

async function change(verb: 'allow' | 'deny', args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse(verb, args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout(helpOf(verb));
    return 0;
  }
  const [agent, entry, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`bottle ${verb} takes an agent and one host, got ${positionals.length}: ${positionals.join(', ')}`);
  if (!agent || !entry) throw new UsageError(`give the agent and one host, e.g. \`bottle ${verb} demo api.example.com:443\``);
  const { plan } = await findBottle(cli, agent, values.file, values['state-dir']);
  const files = bottleFiles(plan.stateDir);
  const policyFile = join(files.bundleDir, 'egress-policy.json');
  if (!existsSync(policyFile)) throw new UsageError(`agent "${agent}" has no running proxy to change (no ${policyFile}); run \`bottle up ${agent}\` first`);
  const rule = liveRuleOf(entry);
  if (typeof rule === 'string') throw new UsageError(`bottle ${verb}: ${rule}`);
  const live = await readLiveRules(files.liveRules);
  const inManifest = plan.egress.allow.some((r) => sameDestination(r, rule));
  let said: string;
  if (verb === 'allow') {
    live.deny = live.deny.filter((host) => host !== rule.host);
    if (!inManifest && !live.allow.some((r) => sameDestination(r, rule))) live.allow.push(rule);
    said = inManifest ? `${ruleText(rule)} is allowed by the manifest; any live deny of it is gone` : `allowed ${ruleText(rule)} for ${agent}, live: the manifest does not allow it; ${KEEP}`;
  } else {
    if (rule.port !== null) throw new UsageError(`bottle deny takes a host or *.domain, without a port (a denied host is refused on every port), got "${entry}"`);
    live.allow = live.allow.filter((r: EgressRule) => r.host !== rule.host);
    if (!live.deny.includes(rule.host)) live.deny.push(rule.host);
    const allowedByManifest = plan.egress.allow.some((r) => r.host === rule.host);
    said = `denied ${rule.host} for ${agent}, live${allowedByManifest ? ': the manifest allows it' : ''}; ${KEEP}`;
  }
  await writeLiveRules(files.liveRules, live);
  await writeEgressPolicy(policyFile, egressPolicy(plan, live));
  await handOver(files.bundleDir, bundleOwner());
  // Where the bundle's config is not this host's files, it is pushed so the proxy reloads it (lib/provision/bundle-sync.ts).
  await pushBundleConfig(await backendOfBottle(plan), plan, { signal: cli.signal });
  cli.stdout(`${said}\n`);
  return 0;
}
