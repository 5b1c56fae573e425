/**
 * Keeps the host paths a manifest names inside its project: `skillsDir`, each
 * agent's `promptFile`, each bottle's `git.repo` (its branches go to the
 * agent), the files its egress reads (`credentials` from `file:`, the
 * `upstreamCa`), the TLS files of its `hosts:` and the skill directories found for its `skills` must
 * resolve, symlinks followed, inside the manifest's directory, below
 * `~/.claude/skills`, or in a directory the user allowed (`--allow-outside`),
 * so a careless or hostile manifest cannot hand the agent files from elsewhere
 * on the host. A path that does not exist is judged by where it would be; that
 * it exists is checked elsewhere (prompt-files.ts, the plan's preflight). It
 * reads no file contents.
 */
import { readlink, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { quote } from './describe.js';
import { formatPath, type ManifestIssue } from './issues.js';
import type { Manifest } from './types.js';

export interface ConfineOptions {
  /** More directories paths may resolve into (`--allow-outside`); absolute. */
  allowOutside?: readonly string[];
  /** The user's home, whose `.claude/skills` is allowed; os.homedir() by default. Absolute. */
  home?: string;
}

export interface Confinement {
  home: string;
  /** Real paths of the allowed directories: the project, ~/.claude/skills, then --allow-outside. */
  roots: string[];
}

function homeSkillsDir(home: string): string {
  return join(home, '.claude', 'skills');
}

/** As many symlinks as Linux follows in one path before it gives up (ELOOP). */
const MAX_LINKS = 40;

/**
 * The real path `path` stands for. A part that cannot be resolved (it does not
 * exist yet, or cannot be read) is taken as written, below its resolved
 * parent; a dangling symlink is judged by where it points.
 */
async function realPathOf(path: string, links = 0): Promise<string> {
  let rest: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    try {
      return join(await realpath(at), ...rest);
    } catch {
      const target = links < MAX_LINKS ? await readlink(at).catch(() => undefined) : undefined;
      if (target !== undefined) {
        const parent = await realPathOf(dirname(at), links + 1);
        return realPathOf(join(resolve(parent, target), ...rest), links + 1);
      }
      if (dirname(at) === at) return path;
      rest = [basename(at), ...rest];
    }
  }
}

export async function confinementOf(projectDir: string, options: ConfineOptions = {}): Promise<Confinement> {
  const home = options.home ?? homedir();
  const allowed = options.allowOutside ?? [];
  for (const dir of [home, ...allowed]) {
    if (!isAbsolute(dir)) throw new TypeError(`confinementOf: expected absolute directories, got ${JSON.stringify(dir)}`);
  }
  return { home, roots: await Promise.all([projectDir, homeSkillsDir(home), ...allowed].map(realPathOf)) };
}

function isAllowed(real: string, { roots }: Confinement): boolean {
  return roots.some((root) => {
    const rel = relative(root, real);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  });
}

export type Confined = { ok: true; real: string } | { ok: false; problem: string };

/**
 * `path` (absolute, what `subject` names) resolved, or why it is refused. A
 * file's directory is what `--allow-outside` would need; a directory's is itself.
 */
export async function confine(path: string, subject: string, kind: 'file' | 'directory', c: Confinement): Promise<Confined> {
  const real = await realPathOf(path);
  if (isAllowed(real, c)) return { ok: true, real };
  const where = real === path ? 'is' : `resolves to ${real}, which is`;
  return {
    ok: false,
    problem:
      `${subject} ${where} outside the directories a manifest may use (${c.roots.join(', ')}); ` +
      `move it inside the project or pass --allow-outside ${kind === 'file' ? dirname(real) : real}`,
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/**
 * Issues for `skillsDir` and for each agent's skills: each skill is checked
 * where it is found, `<skillsDir>/<name>` then `~/.claude/skills/<name>`, as
 * lib/plan/skills.ts looks it up. A skill not found is not reported here.
 */
export async function skillPathIssues(manifest: Manifest, c: Confinement): Promise<ManifestIssue[]> {
  const skillsDir = await confine(manifest.skillsDir, quote(manifest.skillsDir), 'directory', c);
  const searchDirs = [manifest.skillsDir, homeSkillsDir(c.home)];
  const checks = Object.values(manifest.agents).flatMap((agent) =>
    agent.skills.map(async (name, index): Promise<ManifestIssue | undefined> => {
      const candidates = searchDirs.map((dir) => join(dir, name));
      const found = await Promise.all(candidates.map(isDirectory));
      const at = found.indexOf(true);
      // Under a refused skillsDir, the skillsDir issue says it all.
      if (at === -1 || (at === 0 && !skillsDir.ok)) return undefined;
      const skill = await confine(candidates[at]!, `skill ${quote(name)} at ${candidates[at]}`, 'directory', c);
      return skill.ok ? undefined : { path: formatPath(['agents', agent.name, 'skills', index]), message: skill.problem };
    }),
  );
  const issues = (await Promise.all(checks)).filter((issue) => issue !== undefined);
  return skillsDir.ok ? issues : [{ path: 'skillsDir', message: skillsDir.problem }, ...issues];
}

/**
 * Issues for each bottle's host paths: `git.repo` (the repository whose
 * branches and tags the agent gets), credential files and `upstreamCa`.
 */
export async function bottlePathIssues(manifest: Manifest, c: Confinement): Promise<ManifestIssue[]> {
  const paths: { path: string; kind: 'file' | 'directory'; at: (string | number)[]; subject: string }[] = [];
  for (const bottle of Object.values(manifest.bottles)) {
    const at = ['bottles', bottle.name];
    if (bottle.git) paths.push({ path: bottle.git.repo, kind: 'directory', at: [...at, 'git', 'repo'], subject: `git.repo ${quote(bottle.git.repo)}` });
    bottle.egress.credentials.forEach((cred, i) => {
      if (cred.from.kind === 'file') paths.push({ path: cred.from.path, kind: 'file', at: [...at, 'egress', 'credentials', i, 'from'], subject: `the credential file ${quote(cred.from.path)}` });
    });
    if (bottle.egress.upstreamCa) paths.push({ path: bottle.egress.upstreamCa, kind: 'file', at: [...at, 'egress', 'upstreamCa'], subject: `upstreamCa ${quote(bottle.egress.upstreamCa)}` });
  }
  const checks = paths.map(async (p): Promise<ManifestIssue | undefined> => {
    const confined = await confine(p.path, p.subject, p.kind, c);
    return confined.ok ? undefined : { path: formatPath(p.at), message: confined.problem };
  });
  return (await Promise.all(checks)).filter((issue) => issue !== undefined);
}

/** Issues for the TLS files of `hosts:` (the client key among them). */
export async function hostPathIssues(manifest: Manifest, c: Confinement): Promise<ManifestIssue[]> {
  const checks = Object.values(manifest.hosts).flatMap((host) => {
    const tls = host.engine.kind === 'url' ? host.engine.tls : undefined;
    if (!tls) return [];
    return (['ca', 'cert', 'key'] as const).map(async (part): Promise<ManifestIssue | undefined> => {
      const confined = await confine(tls[part], `the TLS ${part} file ${quote(tls[part])}`, 'file', c);
      return confined.ok ? undefined : { path: formatPath(['hosts', host.name, 'tls', part]), message: confined.problem };
    });
  });
  return (await Promise.all(checks)).filter((issue) => issue !== undefined);
}
