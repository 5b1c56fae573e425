/**
 * The guest's git identity, as a file: `~/.config/git/config`, which `git
 * config --global` reads beside `~/.gitconfig`, so the agent's own settings
 * there are never overwritten. Pure: an entry for lib/backends/guest-files.ts.
 * The workspace is workspace.ts's.
 */
import type { FilesRequest } from '../backends/types.js';
import { gitQuoted as quoted } from '../gate/host-git.js';
import type { BottlePlan } from '../plan/types.js';

/** `~/.config/git/config`: the identity. */
export function identityFiles(plan: BottlePlan): FilesRequest {
  const { name, email } = plan.gitIdentity;
  return { dir: plan.guestHome, user: plan.user, entries: [{ path: '.config/git/config', content: `[user]\n\tname = ${quoted(name)}\n\temail = ${quoted(email)}\n`, mode: 0o644 }] };
}
