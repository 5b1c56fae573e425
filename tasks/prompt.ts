/**
 * prompt: writes the agent's prompt to its state dir (0600) and puts it at
 * `<guest home>/.claude-bottle-prompt.txt` (0600, the agent user's; a file
 * put in place, no program run; a new machine had it already). Always put
 * there, so the path always exists; the output names the guest path only
 * when the prompt is non-empty, and `bottle claude` passes
 * `--append-system-prompt-file` exactly then.
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { writeFileAtomic } from '../lib/state/atomic-write.js';
import { hash } from '../lib/engine/index.js';
import { promptFiles } from '../lib/provision/prompt.js';
import { cameWithMachine, startVm } from './start-vm.js';
import { backendOf, bottleTask, op } from './context.js';

export interface PromptOutput {
  /** The guest path when the agent has a prompt, else null. */
  path: string | null;
}

export const prompt = bottleTask({
  id: 'prompt',
  title: 'Prompt',
  summary: 'the prompt at ~/.claude-bottle-prompt.txt',
  needs: [startVm],
  resources: [BACKEND_CALLS],
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ prompt: hash(ctx.prompt), file: ctx.plan.promptFile, guest: ctx.plan.guestPromptPath }),
  run: async (ctx, io): Promise<PromptOutput> => {
    const { plan } = ctx;
    await writeFileAtomic(plan.promptFile, ctx.prompt, 0o600);
    if (!cameWithMachine(io)) await backendOf(ctx).putFiles(io.needs['start-vm'].machine, promptFiles(plan, ctx.prompt), op(io));
    return { path: ctx.prompt.length > 0 ? plan.guestPromptPath : null };
  },
});
