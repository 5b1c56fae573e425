/**
 * skillsDir and the skills an agent is given must resolve, symlinks followed,
 * inside the project, below ~/.claude/skills or in an allowed directory.
 * (promptFile is confined the same way: prompt-files.test.ts.)
 */
import { mkdir, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, parseManifest, type ParseOptions } from '../../lib/manifest/index.js';
import { manifestErrorOf, tempDir, writeFiles } from './helpers.js';

/** A project, a fake home and a directory outside both. */
async function dirs() {
  const [dir, home, outside] = [await tempDir(), await tempDir(), await tempDir()];
  const allowed = `(${dir}, ${join(home, '.claude', 'skills')})`;
  const parse = (data: Record<string, unknown>, options: ParseOptions = {}) =>
    parseManifest({ bottles: { dev: {} }, ...data }, { path: join(dir, 'bottle.yaml'), dir }, { home, ...options });
  const issuesOf = async (data: Record<string, unknown>, options: ParseOptions = {}) =>
    (await manifestErrorOf(parse(data, options))).issues;
  return { dir, home, outside, allowed, parse, issuesOf };
}

const withSkills = (...skills: string[]) => ({ agents: { demo: { bottle: 'dev', skills } } });

const outsideMessage = (subject: string, allowed: string, allowDir: string) =>
  `${subject} outside the directories a manifest may use ${allowed}; move it inside the project or pass --allow-outside ${allowDir}`;

describe('skillsDir', () => {
  it('refuses one outside the project, named or symlinked, and accepts it from an allowed directory', async () => {
    const { dir, outside, allowed, parse, issuesOf } = await dirs();
    await mkdir(join(outside, 'skills'));
    await symlink(join(outside, 'skills'), join(dir, 'linked'));
    const absolute = join(outside, 'skills');
    expect(await issuesOf({ skillsDir: absolute, ...withSkills() })).toStrictEqual([
      { path: 'skillsDir', message: outsideMessage(`${JSON.stringify(absolute)} is`, allowed, absolute) },
    ]);
    expect(await issuesOf({ skillsDir: 'linked', ...withSkills() })).toStrictEqual([
      {
        path: 'skillsDir',
        message: outsideMessage(`"${join(dir, 'linked')}" resolves to ${absolute}, which is`, allowed, absolute),
      },
    ]);
    expect((await parse({ skillsDir: 'linked', ...withSkills() }, { allowOutside: [outside] })).skillsDir).toBe(join(dir, 'linked'));
  });

  it('judges one that does not exist by where it would be', async () => {
    const { dir, outside, allowed, parse, issuesOf } = await dirs();
    expect((await parse({ skillsDir: 'not/yet', ...withSkills('x') })).skillsDir).toBe(join(dir, 'not', 'yet'));
    const missing = join(outside, 'not', 'yet');
    expect(await issuesOf({ skillsDir: missing, ...withSkills() })).toStrictEqual([
      { path: 'skillsDir', message: outsideMessage(`${JSON.stringify(missing)} is`, allowed, missing) },
    ]);
  });

  it('judges a dangling symlink by where it points', async () => {
    const { dir, outside, allowed, issuesOf } = await dirs();
    const target = join(outside, 'later', 'skills');
    await symlink(target, join(dir, 'dangling'));
    expect(await issuesOf({ skillsDir: 'dangling', ...withSkills() })).toStrictEqual([
      { path: 'skillsDir', message: outsideMessage(`"${join(dir, 'dangling')}" resolves to ${target}, which is`, allowed, target) },
    ]);
  });

  it('does not loop on a symlink loop', async () => {
    const { dir, parse } = await dirs();
    await symlink('loop-b', join(dir, 'loop-a'));
    await symlink('loop-a', join(dir, 'loop-b'));
    expect((await parse({ skillsDir: 'loop-a', ...withSkills('x') })).skillsDir).toBe(join(dir, 'loop-a'));
  });

  it('reports only skillsDir, not each skill under it, when it is outside', async () => {
    const { outside, issuesOf } = await dirs();
    await mkdir(join(outside, 'review'));
    const issues = await issuesOf({ skillsDir: outside, ...withSkills('review') });
    expect(issues.map((issue) => issue.path)).toStrictEqual(['skillsDir']);
  });
});

describe('skills', () => {
  it('refuses a skill directory in skillsDir that is a symlink out of the project, by its index', async () => {
    const { dir, outside, allowed, parse, issuesOf } = await dirs();
    await mkdir(join(dir, 'skills', 'lint'), { recursive: true });
    await mkdir(join(outside, 'ssh'));
    await symlink(join(outside, 'ssh'), join(dir, 'skills', 'review'));
    expect(await issuesOf(withSkills('lint', 'review', 'absent'))).toStrictEqual([
      {
        path: 'agents.demo.skills[1]',
        message: outsideMessage(
          `skill "review" at ${join(dir, 'skills', 'review')} resolves to ${join(outside, 'ssh')}, which is`,
          allowed,
          join(outside, 'ssh'),
        ),
      },
    ]);
    await expect(parse(withSkills('lint', 'review'), { allowOutside: [outside] })).resolves.toBeDefined();
  });

  it('checks a skill found in ~/.claude/skills, which may itself be a symlink', async () => {
    const { dir, home, outside, parse, issuesOf } = await dirs();
    await mkdir(join(outside, 'dotfiles', 'skills', 'notes'), { recursive: true });
    await mkdir(join(home, '.claude'));
    await symlink(join(outside, 'dotfiles', 'skills'), join(home, '.claude', 'skills'));
    await expect(parse(withSkills('notes'))).resolves.toBeDefined();

    await mkdir(join(outside, 'elsewhere'));
    await symlink(join(outside, 'elsewhere'), join(outside, 'dotfiles', 'skills', 'stray'));
    const [issue] = await issuesOf(withSkills('notes', 'stray'));
    expect(issue?.path).toBe('agents.demo.skills[1]');
    expect(issue?.message).toMatch(/^skill "stray" at .* resolves to .*, which is outside the directories a manifest may use/);
    // The home's skills dir is allowed, and shown, as what it resolves to.
    expect(issue?.message).toContain(`(${dir}, ${join(outside, 'dotfiles', 'skills')})`);
  });

  it('takes the skill in skillsDir before the one in ~/.claude/skills, as the skills task does', async () => {
    const { dir, home, outside, issuesOf } = await dirs();
    await mkdir(join(dir, 'skills'));
    await mkdir(join(home, '.claude', 'skills', 'review'), { recursive: true });
    await mkdir(join(outside, 'review'));
    await symlink(join(outside, 'review'), join(dir, 'skills', 'review'));
    expect((await issuesOf(withSkills('review'))).map((issue) => issue.path)).toStrictEqual(['agents.demo.skills[0]']);
  });

  it('accepts everything inside a project reached through a symlink', async () => {
    const { dir, outside } = await dirs();
    await writeFiles(dir, { 'skills/review/SKILL.md': 'x', 'prompt.md': 'p' });
    const link = join(outside, 'project');
    await symlink(dir, link);
    const data = { bottles: { dev: {} }, agents: { demo: { bottle: 'dev', skills: ['review'], promptFile: 'prompt.md' } } };
    await expect(parseManifest(data, { path: join(link, 'bottle.yaml'), dir: link }, { home: outside })).resolves.toBeDefined();
  });
});

describe('loadManifest allowOutside', () => {
  it('resolves allowed directories given relative to cwd', async () => {
    const { dir, home, outside } = await dirs();
    await writeFiles(outside, { 'p.md': 'shared' });
    await writeFiles(dir, { 'bottle.yaml': `bottles: { dev: {} }\nagents: { demo: { bottle: dev, promptFile: ${join(outside, 'p.md')} } }\n` });
    await expect(loadManifest({ cwd: dir, home })).rejects.toThrow(/agents\.demo\.promptFile: .* --allow-outside/);
    const loaded = await loadManifest({ cwd: dir, home, allowOutside: [relative(dir, outside)] });
    expect(loaded.manifest.agents.demo?.prompt).toBe('shared');
  });
});
