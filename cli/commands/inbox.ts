/**
 * `bottle inbox [agents..] [--follow] [--json]`: what the agents of the
 * manifest reported and asked through supervise, oldest first, unanswered
 * questions marked (lib/report/inbox-lines.ts). `--follow` keeps printing
 * what comes, and a question again when its status changes, until Ctrl-C.
 * `--json`: one object, or with --follow one object per line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KnownBottle } from '../../lib/plan/known-bottles.js';
import { byTime, inboxLines, type InboxItem } from '../../lib/report/inbox-lines.js';
import { bottleFiles } from '../../lib/state/layout.js';
import { readInbox } from '../../lib/supervise/index.js';
import { pullBundleDir } from '../../lib/provision/bundle-sync.js';
import { backendOfBottle } from '../bottle-backend.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottles } from '../find-bottle.js';
import { parse } from '../parse.js';

export const INBOX_HELP = `Usage: bottle inbox [agents..] [--follow] [--json] [-f FILE] [--state-dir DIR]

What the agents reported (report_progress, done) and asked (ask_human), oldest first.
  --follow   keep printing new messages and answers until Ctrl-C
  --json     {"v":1,"messages":[{"agent","slug","id","at","kind","text",...}]};
             with --follow, one {"v":1,"type":"message",...} per line
Answer a question with \`bottle answer <agent> <id> <text>\`.
`;

const FOLLOW_EVERY_MS = 500;

export async function inbox(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('inbox', args, { ...COMMON_OPTIONS, follow: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) {
    cli.stdout(INBOX_HELP);
    return 0;
  }
  const bottles = await findBottles(cli, positionals, values.file, values['state-dir']);
  if (!values.follow) {
    const items = byTime(await collect(bottles, cli.signal));
    if (values.json) cli.stdout(`${JSON.stringify({ v: 1, messages: items.map((item) => asJson(item, bottles)) })}\n`);
    else printAll(items, bottles, cli);
    return 0;
  }
  const printed = new Set<string>();
  while (!cli.signal.aborted) {
    const items = await collect(bottles, cli.signal).catch((error: unknown) => {
      if (cli.signal.aborted) return [];
      throw error;
    });
    for (const item of byTime(items)) {
      const key = `${item.agent}/${item.entry.id}/${item.entry.kind === 'question' ? item.entry.status : ''}`;
      if (printed.has(key)) continue;
      printed.add(key);
      cli.stdout(values.json ? `${JSON.stringify({ v: 1, type: 'message', ...asJson(item, bottles) })}\n` : `${inboxLines(item).join('\n')}\n`);
    }
    await sleep(FOLLOW_EVERY_MS, undefined, { signal: cli.signal }).catch(() => undefined);
  }
  return 0;
}

async function collect(bottles: readonly KnownBottle[], signal: AbortSignal): Promise<InboxItem[]> {
  const all = await Promise.all(
    bottles.map(async (b) => {
      // Where the bundle's messages are not this host's files, they are pulled first (lib/provision/bundle-sync.ts).
      await pullBundleDir(await backendOfBottle(b.plan), b.plan, 'supervise', { signal });
      return (await readInbox(bottleFiles(b.plan.stateDir).superviseDir)).map((entry) => ({ agent: b.plan.agent, entry }));
    }),
  );
  return all.flat();
}

function asJson(item: InboxItem, bottles: readonly KnownBottle[]) {
  return { agent: item.agent, slug: bottles.find((b) => b.plan.agent === item.agent)?.slug, ...item.entry };
}

function printAll(items: readonly InboxItem[], bottles: readonly KnownBottle[], cli: CliContext): void {
  if (bottles.length === 0) {
    cli.stdout('no bottles of this manifest have been brought up; run `bottle up`\n');
    return;
  }
  if (items.length === 0) {
    cli.stdout(`no messages yet from ${bottles.map((b) => b.plan.agent).join(', ')}\n`);
    return;
  }
  cli.stdout(items.map((item) => `${inboxLines(item).join('\n')}\n`).join(''));
  const open = items.filter((i) => i.entry.kind === 'question' && i.entry.status === 'unanswered').length;
  cli.stdout(`${items.length} message(s); ${open} question(s) waiting for an answer\n`);
}
