/**
 * The guest's git, as files: the identity (in `~/.config/git/config`, which
 * `git config --global` reads beside `~/.gitconfig`, so the agent's own
 * settings there are never overwritten) and a new workspace repository whose
 * `origin` is the bundle's git gate (an empty repository, as `git init`
 * leaves it). Pure: entries for lib/backends/guest-files.ts.
 */
import type { GuestEntry } from '../backends/guest-files.js';
import type { FilesRequest } from '../backends/types.js';
import type { BottlePlan } from '../plan/types.js';

/** A git config value, quoted: backslash, quote and newline escaped as git reads them. */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `~/.config/git/config`: the identity. */
export function identityFiles(plan: BottlePlan): FilesRequest {
  const { name, email } = plan.gitIdentity;
  return { dir: plan.guestHome, user: plan.user, entries: [{ path: '.config/git/config', content: `[user]\n\tname = ${quoted(name)}\n\temail = ${quoted(email)}\n`, mode: 0o644 }] };
}

/** An empty repository at the workspace, `origin` at the git gate. */
export function workspaceFiles(plan: BottlePlan): FilesRequest {
  return { dir: plan.guestHome, user: plan.user, entries: workspaceEntries(plan.guestWorkspace.slice(plan.guestHome.length + 1), plan.gitOrigin) };
}

function workspaceEntries(workspace: string, origin: string): GuestEntry[] {
  const git = `${workspace}/.git`;
  const config =
    '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n' +
    `[remote "origin"]\n\turl = ${quoted(origin)}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`;
  return [
    { path: workspace, dir: true, mode: 0o755 },
    { path: git, dir: true, mode: 0o755 },
    { path: `${git}/HEAD`, content: 'ref: refs/heads/main\n', mode: 0o644 },
    { path: `${git}/config`, content: config, mode: 0o644 },
    ...['objects', 'objects/info', 'objects/pack', 'refs', 'refs/heads', 'refs/tags'].map((d) => ({ path: `${git}/${d}`, dir: true as const, mode: 0o755 })),
  ];
}
