/**
 * prompt: writes the agent's prompt to its state dir (0600) and puts it at
 * `<guest home>/.claude-bottle-prompt.txt` (0600, the agent user's; a file
 * put in place, no program run). Always put there, so the path always
 * exists; the output names the guest path only when the prompt is
 * non-empty, and `bottle claude` passes `--append-system-prompt-file`
 * exactly then.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../lib/state/atomic-write.js';
import { hash } from '../lib/engine/index.js';
import { startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface PromptOutput {
  /** The guest path when the agent has a prompt, else null. */
  path: string | null;
}

export const prompt = bottleTask({
  id: 'prompt',
  title: 'Prompt',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ prompt: hash(ctx.prompt), file: ctx.plan.promptFile, guest: ctx.plan.guestPromptPath }),
  run: async (ctx, io): Promise<PromptOutput> => {
    const { plan } = ctx;
    await writeFileAtomic(plan.promptFile, ctx.prompt, 0o600);
    const machine = io.needs['start-vm'].machine;
    const entries = [{ path: basename(plan.guestPromptPath), content: ctx.prompt, mode: 0o600 }];
    await backendOf(ctx).putFiles(machine, { dir: dirname(plan.guestPromptPath), user: plan.user, entries }, op(io));
    return { path: ctx.prompt.length > 0 ? plan.guestPromptPath : null };
  },
});
