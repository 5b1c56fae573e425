/**
 * prompt: writes the agent's prompt to its state dir (0600) and copies it to
 * `<guest home>/.claude-bottle-prompt.txt`. Always copied, so the path always
 * exists; the output names the guest path only when the prompt is non-empty,
 * and `bottle claude` passes `--append-system-prompt-file` exactly then.
 */
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
  retry: { attempts: 2 },
  timeoutMs: 60_000,
  fingerprint: (ctx) => ({ prompt: hash(ctx.prompt), file: ctx.plan.promptFile, guest: ctx.plan.guestPromptPath }),
  run: async (ctx, io): Promise<PromptOutput> => {
    const { plan } = ctx;
    await writeFileAtomic(plan.promptFile, ctx.prompt, 0o600);
    const machine = io.needs['start-vm'].machine;
    await backendOf(ctx).copyFile(machine, plan.promptFile, plan.guestPromptPath, { ...op(io), mode: 0o600, user: plan.user });
    return { path: ctx.prompt.length > 0 ? plan.guestPromptPath : null };
  },
});
