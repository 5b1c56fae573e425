import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, locateManifest } from '../../lib/manifest/index.js';
import { manifestErrorOf, tempDir, writeFiles } from './helpers.js';

const YAML_MANIFEST = `# a bottle
bottles:
  dev:
    memory: 1g
    git:
      repo: ./code
agents:
  demo:
    bottle: dev
    skills: [review]
`;

const JSON_MANIFEST = JSON.stringify({
  bottles: { dev: { memory: '1g', git: { repo: './code' } } },
  agents: { demo: { bottle: 'dev', skills: ['review'] } },
});

/** A manifest whose only agent is called `name`, to tell files apart. */
const manifestNamed = (name: string) => `bottles: { dev: {} }\nagents: { ${name}: { bottle: dev } }\n`;

describe('loadManifest: reading files', () => {
  it.each([
    ['bottle.yaml', YAML_MANIFEST],
    ['bottle.yml', YAML_MANIFEST],
    ['bottle.json', JSON_MANIFEST],
  ])('loads %s and resolves paths against its directory, not cwd', async (name, text) => {
    const root = await tempDir();
    await writeFiles(root, { [`project/${name}`]: text });
    const cwd = join(root, 'elsewhere');
    await mkdir(cwd);
    const loaded = await loadManifest({ file: `../project/${name}`, cwd });
    expect(loaded.path).toBe(join(root, 'project', name));
    expect(loaded.dir).toBe(join(root, 'project'));
    expect(loaded.manifest.bottles.dev?.memory).toBe(1024);
    expect(loaded.manifest.bottles.dev?.git?.repo).toBe(join(root, 'project', 'code'));
    expect(loaded.manifest.skillsDir).toBe(join(root, 'project', 'skills'));
    expect(loaded.manifest.agents.demo?.skills).toStrictEqual(['review']);
  });

  it('reads a file of any other extension as YAML', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'agents.conf': manifestNamed('conf') });
    const loaded = await loadManifest({ file: 'agents.conf', cwd: dir });
    expect(Object.keys(loaded.manifest.agents)).toStrictEqual(['conf']);
  });

  it('reads a .json file as JSON, so YAML syntax in it is an error', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'm.json': manifestNamed('yaml-in-json') });
    const error = await manifestErrorOf(loadManifest({ file: 'm.json', cwd: dir }));
    expect(error.code).toBe('SYNTAX');
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'm.json')} is not valid JSON at line 1, column 1: `));
  });

  it('ignores a byte order mark', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.json': `\uFEFF${JSON_MANIFEST}` });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.manifest.bottles.dev?.memory).toBe(1024);
  });
});

describe('loadManifest: finding the file', () => {
  it('looks for bottle.yaml, then bottle.yml, then bottle.json', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'bottle.json': JSON.stringify({ bottles: { dev: {} }, agents: { json: { bottle: 'dev' } } }),
      'bottle.yml': manifestNamed('yml'),
      'bottle.yaml': manifestNamed('yaml'),
    });
    const agentsOf = async () => Object.keys((await loadManifest({ cwd: dir })).manifest.agents);
    expect(await agentsOf()).toStrictEqual(['yaml']);
    await rm(join(dir, 'bottle.yaml'));
    expect(await agentsOf()).toStrictEqual(['yml']);
    await rm(join(dir, 'bottle.yml'));
    expect(await agentsOf()).toStrictEqual(['json']);
  });

  it('skips a directory that has a manifest name', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'bottle.yaml'));
    await writeFiles(dir, { 'bottle.yml': manifestNamed('yml') });
    expect(await locateManifest({ cwd: dir })).toBe(join(dir, 'bottle.yml'));
  });

  it('says where it looked when there is no manifest', async () => {
    const dir = await tempDir();
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.file).toBe(dir);
    expect(error.message).toBe(`no manifest in ${dir}: looked for bottle.yaml, bottle.yml, bottle.json; pass -f FILE`);
  });

  it('names a missing explicit file, as given and as an absolute path', async () => {
    const dir = await tempDir();
    const error = await manifestErrorOf(loadManifest({ file: 'conf/nope.yaml', cwd: dir }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.file).toBe(join(dir, 'conf', 'nope.yaml'));
    expect(error.message).toBe(
      `no manifest at ${join(dir, 'conf', 'nope.yaml')} (given as "conf/nope.yaml"); check the path passed to -f`,
    );
  });

  it('says so when the explicit file is a directory', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'conf'));
    const error = await manifestErrorOf(loadManifest({ file: 'conf', cwd: dir }));
    expect(error.message).toBe(
      `${join(dir, 'conf')} (given as "conf") is a directory, not a manifest file; pass the file, e.g. -f conf/bottle.yaml`,
    );
  });
});

describe('loadManifest: syntax errors', () => {
  it('gives the line and column of a YAML error', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles:\n  dev: {}\n   x: 1\nagents: {}\n' });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('SYNTAX');
    expect([error.line, error.column]).toStrictEqual([3, 1]);
    expect(error.message).toBe(
      `${join(dir, 'bottle.yaml')} is not valid YAML at line 3, column 1: All mapping items must start at the same column`,
    );
    expect(error.issues).toStrictEqual([{ path: '(top level)', message: error.message }]);
  });

  it('reports a duplicate YAML key where it is', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles:\n  dev: {}\n  dev: {}\n' });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.message).toBe(`${join(dir, 'bottle.yaml')} is not valid YAML at line 3, column 3: Map keys must be unique`);
  });

  it('reports a YAML alias without its anchor', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles: *missing\n' });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('SYNTAX');
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'bottle.yaml')} is not valid YAML: .*missing`));
  });

  it.each([
    ['{"bottles": {"dev": {}},\n "agents": }', 2, 12, "Unexpected token '}'"],
    ['{"bottles": {"dev": {}},}', 1, 25, 'Expected double-quoted property name'],
    ['{"bottles": [1, 2,]}', 1, 19, "Unexpected token ']'"],
    ['{\n  "bottles": {}\n  "agents": {}\n}', 3, 3, "Expected ',' or '}' after property value"],
    ['{"bottles": {}', 1, 15, "Expected ',' or '}' after property value"],
    ['', 1, 1, 'Unexpected end of JSON input'],
    ['{"a\\"b": "\\u0041\\n\\\\", x}', 1, 24, "Expected double-quoted property name"],
    ['{"a": "\\q"}', 1, 9, 'Bad escaped character'],
    ['{"a": 1, "a": 2,}', 1, 17, 'Expected double-quoted property name'],
  ])('gives the line and column of a JSON error in %j', async (text, line, column, reason) => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.json': text });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('SYNTAX');
    expect(error.message).toBe(`${join(dir, 'bottle.json')} is not valid JSON at line ${line}, column ${column}: ${reason}`);
  });

  it.each([
    ['at the top', '{"bottles": {"dev": {}},\n "agents": {},\n "bottles": {}}', 3, 2, '"bottles" at bottles (first at line 1, column 2)'],
    [
      'in a bottle',
      '{"bottles": {\n  "dev": {"memory": 512,\n          "memory": 1e300}},\n "agents": {"a": {"bottle": "dev"}}}',
      3,
      11,
      '"memory" at bottles.dev.memory (first at line 2, column 11)',
    ],
    [
      'written with an escape',
      '{"bottles": {"dev": {}, "d\\u0065v": {}}, "agents": {"a": {"bottle": "dev"}}}',
      1,
      25,
      '"dev" at bottles.dev (first at line 1, column 14)',
    ],
    [
      'in an object in a list',
      '{"bottles": {"dev": {}}, "agents": {}, "x": [1, {"k": 1, "k": 2}]}',
      1,
      58,
      '"k" at x[1].k (first at line 1, column 50)',
    ],
  ])('refuses a JSON key repeated %s, where it repeats', async (_where, text, line, column, what) => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.json': text });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('SYNTAX');
    expect([error.line, error.column]).toStrictEqual([line, column]);
    expect(error.message).toBe(
      `${join(dir, 'bottle.json')} is not valid JSON at line ${line}, column ${column}: duplicate key ${what}; keep one of them`,
    );
  });

  it('accepts a JSON key used again in another object', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'bottle.json': '{"bottles": {"dev": {"env": {"A": "1"}}}, "agents": {"dev": {"bottle": "dev", "env": {"A": "2"}}}}',
    });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.manifest.agents.dev?.env).toStrictEqual({ A: '2' });
  });

  it('says an empty YAML file is empty', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': '# nothing yet\n' });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('INVALID');
    expect(error.issues[0]?.message).toMatch(/^the manifest is empty; expected an object with "bottles" and "agents"/);
  });

  it('reports schema errors under the absolute path of the file', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles:\n  dev: { backend: dockr }\nagents:\n  demo: { bottle: dev }\n' });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.message).toBe(
      `${join(dir, 'bottle.yaml')} is not a valid bottle manifest:\n` +
        '  - bottles.dev.backend: expected one of docker, smolvm, got "dockr"',
    );
  });
});

describe('loadManifest: prompt files', () => {
  it('reads promptFile relative to the manifest (without a byte order mark) and records where it came from', async () => {
    const root = await tempDir();
    await writeFiles(root, {
      'project/bottle.yaml': 'bottles: { dev: {} }\nagents:\n  demo: { bottle: dev, promptFile: prompts/demo.md }\n',
      'project/prompts/demo.md': '\uFEFFYou review code.\nBe brief.\n',
    });
    const loaded = await loadManifest({ file: 'project/bottle.yaml', cwd: root });
    expect(loaded.manifest.agents.demo?.prompt).toBe('You review code.\nBe brief.\n');
    expect(loaded.manifest.agents.demo?.promptSource).toBe(join(root, 'project', 'prompts', 'demo.md'));
  });

  it('names the field, the value and the path looked at when a prompt file is missing', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'bottle.yaml':
        'bottles: { dev: {} }\nagents:\n' +
        '  demo: { bottle: dev, promptFile: prompts/demo.md }\n' +
        '  ok: { bottle: dev, promptFile: ok.md }\n' +
        '  other: { bottle: dev, promptFile: ./other.md }\n',
      'ok.md': 'fine',
    });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.code).toBe('INVALID');
    expect(error.issues).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message: `file not found: "prompts/demo.md" (looked at ${join(dir, 'prompts', 'demo.md')}); create it or fix the path`,
      },
      {
        path: 'agents.other.promptFile',
        message: `file not found: "./other.md" (looked at ${join(dir, 'other.md')}); create it or fix the path`,
      },
    ]);
  });

  it('says so when a prompt file is a directory', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles: { dev: {} }\nagents: { demo: { bottle: dev, promptFile: prompts } }\n' });
    await mkdir(join(dir, 'prompts'));
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.issues).toStrictEqual([
      {
        path: 'agents.demo.promptFile',
        message: `"prompts" is a directory (${join(dir, 'prompts')}), not a regular file; point promptFile at a file`,
      },
    ]);
  });

  it('refuses prompt and promptFile together, before reading anything', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'bottle.yaml': 'bottles: { dev: {} }\nagents: { demo: { bottle: dev, prompt: hi, promptFile: missing.md } }\n',
    });
    const error = await manifestErrorOf(loadManifest({ cwd: dir }));
    expect(error.issues).toStrictEqual([
      {
        path: 'agents.demo',
        message: 'set either "prompt" (the text) or "promptFile" (a file holding it), not both; remove one of them',
      },
    ]);
  });

  it('keeps an inline prompt as written', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'bottle.yaml': 'bottles: { dev: {} }\nagents:\n  demo:\n    bottle: dev\n    prompt: |\n      Line one.\n      Line two.\n' });
    const { manifest } = await loadManifest({ cwd: dir });
    expect(manifest.agents.demo?.prompt).toBe('Line one.\nLine two.\n');
    expect(manifest.agents.demo?.promptSource).toBe('inline');
    expect(dirname(manifest.skillsDir)).toBe(dir);
  });
});
