/**
 * `bottle answer <agent> <id> <text..>`: answers a question an agent asked
 * with ask_human; the waiting call returns the text (lib/supervise/answer.ts
 * records it, the supervise daemon notices). A wrong id, a second answer or
 * an empty text is a usage error that says what to do.
 */
import { bottleFiles } from '../../lib/state/layout.js';
import { pullBundleDir, pushAnswers } from '../../lib/provision/bundle-sync.js';
import { backendOfBottle } from '../bottle-backend.js';
import { answerQuestion, InboxError } from '../../lib/supervise/index.js';
import { COMMON_OPTIONS, type CliContext } from '../context.js';
import { findBottle } from '../find-bottle.js';
import { parse } from '../parse.js';
import { UsageError } from '../usage-error.js';

export const ANSWER_HELP = `Usage: bottle answer <agent> <id> <text..> [-f FILE] [--state-dir DIR]

Answer question <id> of the agent (see \`bottle inbox\`); the words after the id are the answer.
`;

export async function answer(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parse('answer', args, COMMON_OPTIONS);
  if (values.help) {
    cli.stdout(ANSWER_HELP);
    return 0;
  }
  const [agent, id, ...words] = positionals;
  if (!agent || !id || words.length === 0) throw new UsageError('give the agent, the question id and the answer, e.g. `bottle answer demo 3 "yes, go ahead"`; `bottle inbox` lists the questions');
  const bottle = await findBottle(cli, agent, values.file, values['state-dir']);
  // Where the bundle's messages are not this host's files: the questions pulled first, the answers pushed after (lib/provision/bundle-sync.ts).
  const backend = await backendOfBottle(bottle.plan);
  await pullBundleDir(backend, bottle.plan, 'supervise', { signal: cli.signal });
  try {
    const receipt = await answerQuestion(bottleFiles(bottle.plan.stateDir).superviseDir, id, words.join(' '));
    await pushAnswers(backend, bottle.plan, { signal: cli.signal });
    cli.stdout(
      receipt.expired
        ? `answered ${agent} #${id}, but the agent stopped waiting (${receipt.expired.reason}) at ${receipt.expired.at}; the answer is recorded\n`
        : `answered ${agent} #${id}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof InboxError && error.code !== 'io-failed') throw new UsageError(error.message);
    throw error;
  }
}
