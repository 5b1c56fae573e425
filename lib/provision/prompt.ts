/** The prompt in the guest: `<guest home>/.claude-bottle-prompt.txt`, 0600, the agent user's. */
import { basename, dirname } from 'node:path';
import type { FilesRequest } from '../backends/types.js';
import type { BottlePlan } from '../plan/types.js';

export function promptFiles(plan: BottlePlan, prompt: string): FilesRequest {
  return { dir: dirname(plan.guestPromptPath), user: plan.user, entries: [{ path: basename(plan.guestPromptPath), content: prompt, mode: 0o600 }] };
}
