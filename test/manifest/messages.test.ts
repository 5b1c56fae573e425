import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest } from '../../lib/manifest/index.js';
import { manifestErrorOf } from './helpers.js';

const SOURCE = { path: '/project/bottle.yaml', dir: '/project' };

const EGRESS_FORMS =
  'host[:port], *.domain[:port], IPv4[/prefix][:port] or [IPv6[/prefix]][:port] ' +
  '(e.g. "api.github.com", "*.npmjs.org:443", "10.0.0.0/8", "[fd00::1]:443")';

/** A valid manifest with `bottle` as the `dev` bottle and `agent` as the `demo` agent. */
function withBottle(bottle: Record<string, unknown>, agent: Record<string, unknown> = {}) {
  return { bottles: { dev: bottle, test: {} }, agents: { demo: { bottle: 'dev', ...agent } } };
}

async function issuesOf(data: unknown) {
  const error = await manifestErrorOf(parseManifest(data, SOURCE));
  expect(error.code).toBe('INVALID');
  return error.issues;
}

/** [what, data, path, message]: each data holds exactly one mistake. */
const CASES: [string, unknown, string, string][] = [
  [
    'an unknown limit',
    { limits: { docker: 2 }, bottles: { dev: {} }, agents: { demo: { bottle: 'dev' } } },
    'limits.docker',
    'unknown limit "docker"; limits: docker-build, backend, cpu',
  ],
  [
    'a limit of 0',
    { limits: { backend: 0 }, bottles: { dev: {} }, agents: { demo: { bottle: 'dev' } } },
    'limits.backend',
    'expected a number of at least 1, got 0',
  ],
  [
    'an unknown top-level key',
    { bottles: { dev: {} }, agents: { demo: { bottle: 'dev' } }, bottle: {} },
    '(top level)',
    'unknown key "bottle"; allowed keys: $schema, version, skillsDir, limits, hosts, placement, bottles, agents',
  ],
  [
    'an unknown bottle key',
    withBottle({ cpu: 2 }),
    'bottles.dev',
    'unknown key "cpu"; allowed keys: backend, image, cpus, memory, pids, disk, env, guestHome, user, egress, caches, git, supervise',
  ],
  [
    'unknown agent keys',
    withBottle({}, { skill: [], promt: '' }),
    'agents.demo',
    'unknown keys "skill", "promt"; allowed keys: bottle, host, skills, prompt, promptFile, env',
  ],
  [
    'a bad host name',
    { hosts: { Gpu_Box: {} }, ...withBottle({}) },
    'hosts.Gpu_Box',
    'invalid host name "Gpu_Box": use only lower-case letters, digits and "-" (host names follow the rule of bottle and agent names); try "gpu-box"',
  ],
  [
    'a host with docker and context',
    { hosts: { b: { docker: 'ssh://ops@b.example', context: 'build-box' } }, ...withBottle({}) },
    'hosts.b.context',
    'set either docker (a Docker host URL) or context (a Docker context name), not both; remove one of them',
  ],
  [
    'a plain tcp host without insecure',
    { hosts: { e: { docker: 'tcp://10.0.0.3:2375' } }, ...withBottle({}) },
    'hosts.e.docker',
    '"tcp://10.0.0.3:2375" is plain TCP without TLS: anyone who can reach that port runs anything on that engine as root; ' +
      'give its TLS files (tls: { ca, cert, key }), reach it over ssh://user@host, or set `insecure: true` on the host',
  ],
  [
    'tls with a unix socket',
    { hosts: { b: { docker: 'unix:///run/other.sock', tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } } }, ...withBottle({}) },
    'hosts.b.tls',
    'TLS files are for a tcp:// host only, and docker is "unix:///run/other.sock"; remove tls, or give docker: tcp://host:port',
  ],
  [
    'insecure on a host with TLS',
    { hosts: { b: { docker: 'tcp://10.0.0.2:2376', insecure: true, tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } } }, ...withBottle({}) },
    'hosts.b.insecure',
    'insecure is for a plain tcp:// host without tls only; remove it',
  ],
  [
    'a docker value that is no Docker host',
    { hosts: { b: { docker: 'http://10.0.0.2:2376' } }, ...withBottle({}) },
    'hosts.b.docker',
    'expected unix:///path, tcp://host:port (with tls: { ca, cert, key }) or ssh://user@host[:port], got "http://10.0.0.2:2376"; for a Docker context, write context: NAME instead',
  ],
  [
    'a password in an ssh URL',
    { hosts: { b: { docker: 'ssh://ops:hunter22@b.example' } }, ...withBottle({}) },
    'hosts.b.docker',
    'a password in ssh:// is not kept: remove it and give the key to ssh-agent (or use a Docker context)',
  ],
  ['a budget of 0 bottles', { hosts: { b: { docker: 'ssh://ops@b', bottles: 0 } }, ...withBottle({}) }, 'hosts.b.bottles', 'expected a number of at least 1, got 0'],
  ['a budget of 1.5 bottles', { hosts: { b: { docker: 'ssh://ops@b', bottles: 1.5 } }, ...withBottle({}) }, 'hosts.b.bottles', 'expected an integer, got number (1.5)'],
  [
    'two local hosts',
    { hosts: { local: {}, here: { bottles: 2 } }, ...withBottle({}) },
    'hosts.here',
    '"local" is already the local engine (no docker or context); give "here" docker: URL or context: NAME, or remove it',
  ],
  ['a wrong placement', { placement: 'even', ...withBottle({}) }, 'placement', 'expected one of spread, pack, got "even"'],
  [
    'an agent pinned to an unknown host',
    { hosts: { local: {}, b: { docker: 'ssh://ops@b' } }, ...withBottle({}, { host: 'c' }) },
    'agents.demo.host',
    'no host "c"; hosts: local, b',
  ],
  [
    'an agent pinned to a host of a manifest without hosts',
    withBottle({}, { host: 'b' }),
    'agents.demo.host',
    'no host "b": the manifest has no hosts:; add "b" under hosts:, or remove host',
  ],
  ['a wrong version', { version: 2, ...withBottle({}) }, 'version', 'expected 1, got 2'],
  ['a wrong backend', withBottle({ backend: 'dockr' }), 'bottles.dev.backend', 'expected one of docker, smolvm, got "dockr"'],
  ['a wrong type', withBottle({ cpus: 'two' }), 'bottles.dev.cpus', 'expected a number, got string ("two")'],
  ['cpus of 0', withBottle({ cpus: 0 }), 'bottles.dev.cpus', 'expected a number greater than 0, got 0'],
  ['cpus over 64', withBottle({ cpus: 65 }), 'bottles.dev.cpus', 'expected a number of at most 64, got 65'],
  [
    'memory under the minimum',
    withBottle({ memory: '64m' }),
    'bottles.dev.memory',
    'expected at least 128 MiB, got "64m" (64 MiB)',
  ],
  [
    'memory of the wrong type',
    withBottle({ memory: true }),
    'bottles.dev.memory',
    'expected a number of MiB or a size such as "512m", "2g" or "2GiB" (units k, m, g, t, all binary), got boolean (true)',
  ],
  [
    'an image with a space',
    withBottle({ image: 'node 22' }),
    'bottles.dev.image',
    'expected a container image reference without spaces, got string ("node 22"); e.g. "node:22-bookworm"',
  ],
  [
    'a relative guestHome',
    withBottle({ guestHome: 'home/node' }),
    'bottles.dev.guestHome',
    'expected an absolute path in the guest (starting with "/"), got string ("home/node"); e.g. "/home/node"',
  ],
  [
    'root as the user',
    withBottle({ user: 'root' }),
    'bottles.dev.user',
    'expected a non-root user, got string ("root"): Claude Code refuses --dangerously-skip-permissions as root; ' +
      'use a non-root user of the image, such as "node"',
  ],
  [
    'uid 0 as the user',
    withBottle({ user: '0' }),
    'bottles.dev.user',
    'expected a non-root user, got string ("0"): Claude Code refuses --dangerously-skip-permissions as root; ' +
      'use a non-root user of the image, such as "node"',
  ],
  [
    'a user that is no user name',
    withBottle({ user: 'node user' }),
    'bottles.dev.user',
    'expected a user name or a numeric uid (e.g. "node" or "1000"), got string ("node user")',
  ],
  [
    'an invalid env name',
    withBottle({ env: { '1FOO': 'x' } }),
    'bottles.dev.env.1FOO',
    'invalid environment variable name "1FOO": use letters, digits and "_", and do not start with a digit',
  ],
  [
    'an env value that is an object',
    withBottle({}, { env: { FOO: { a: 1 } } }),
    'agents.demo.env.FOO',
    'unknown key "a"; allowed keys: value, from, secret; give either "value" or "from" ("env:NAME" or "file:PATH"), not both and not neither',
  ],
  [
    'a bad egress entry',
    withBottle({ egress: { allow: ['example.com', 'api.github.com', 'https://x.org'] } }),
    'bottles.dev.egress.allow[2]',
    `expected ${EGRESS_FORMS}, got "https://x.org": write the host alone, without a scheme such as "https://"`,
  ],
  ['egress.allow as a string', withBottle({ egress: { allow: 'x.org' } }), 'bottles.dev.egress.allow', 'expected a list, got string ("x.org")'],
  [
    'an unknown egress key',
    withBottle({ egress: { allow: [], idle: 5 } }),
    'bottles.dev.egress',
    'unknown key "idle"; allowed keys: allow, audit, maxConnections, idleTimeout, credentials, upstreamCa',
  ],
  ['memory over 1 TiB', withBottle({ memory: 1e300 }), 'bottles.dev.memory', 'expected at most 1 TiB, got 1e+300'],
  [
    'memory in absurd units',
    withBottle({ memory: '99999999999t' }),
    'bottles.dev.memory',
    'expected at most 1 TiB, got "99999999999t" (104857599998951420 MiB)',
  ],
  ['pids under 64', withBottle({ pids: 10 }), 'bottles.dev.pids', 'expected a number of at least 64, got 10'],
  ['pids over 1048576', withBottle({ pids: 1e300 }), 'bottles.dev.pids', 'expected a number of at most 1048576, got 1e+300'],
  ['pids as a fraction', withBottle({ pids: 100.5 }), 'bottles.dev.pids', 'expected an integer, got number (100.5)'],
  ['pids as a string', withBottle({ pids: '100' }), 'bottles.dev.pids', 'expected a number, got string ("100")'],
  ['disk under 1 GiB', withBottle({ disk: '512m' }), 'bottles.dev.disk', 'expected at least 1 GiB, got "512m" (512 MiB)'],
  ['disk over 64 TiB', withBottle({ disk: '65t' }), 'bottles.dev.disk', 'expected at most 64 TiB, got "65t" (68157440 MiB)'],
  ['audit size of 0', withBottle({ egress: { audit: { maxSize: 0 } } }), 'bottles.dev.egress.audit.maxSize', 'expected at least 1 MiB, got 0'],
  [
    'audit size over 1 TiB',
    withBottle({ egress: { audit: { maxSize: '2t' } } }),
    'bottles.dev.egress.audit.maxSize',
    'expected at most 1 TiB, got "2t" (2097152 MiB)',
  ],
  ['audit keep over 10', withBottle({ egress: { audit: { keep: 11 } } }), 'bottles.dev.egress.audit.keep', 'expected a number of at most 10, got 11'],
  ['audit keep below 0', withBottle({ egress: { audit: { keep: -1 } } }), 'bottles.dev.egress.audit.keep', 'expected a number of at least 0, got -1'],
  [
    'an unknown audit key',
    withBottle({ egress: { audit: { rotate: true } } }),
    'bottles.dev.egress.audit',
    'unknown key "rotate"; allowed keys: maxSize, keep',
  ],
  ['maxConnections of 0', withBottle({ egress: { maxConnections: 0 } }), 'bottles.dev.egress.maxConnections', 'expected a number of at least 1, got 0'],
  [
    'maxConnections over 65536',
    withBottle({ egress: { maxConnections: 65537 } }),
    'bottles.dev.egress.maxConnections',
    'expected a number of at most 65536, got 65537',
  ],
  ['idleTimeout of 0', withBottle({ egress: { idleTimeout: 0 } }), 'bottles.dev.egress.idleTimeout', 'expected a number of at least 1, got 0'],
  [
    'idleTimeout over a day',
    withBottle({ egress: { idleTimeout: 86401 } }),
    'bottles.dev.egress.idleTimeout',
    'expected a number of at most 86400, got 86401',
  ],
  ['idleTimeout as a fraction', withBottle({ egress: { idleTimeout: 1.5 } }), 'bottles.dev.egress.idleTimeout', 'expected an integer, got number (1.5)'],
  [
    'a push pattern outside refs/',
    withBottle({ git: { repo: '.', push: ['main'] } }),
    'bottles.dev.git.push[0]',
    'expected a ref pattern that starts with "refs/" and uses only letters, digits and . _ / * -, got string ("main"); ' +
      'e.g. "refs/heads/agent/*"',
  ],
  ['git without repo', withBottle({ git: {} }), 'bottles.dev.git.repo', 'expected a string, got nothing; add it'],
  [
    'a credential for a host the allowlist does not have',
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.other.com', header: 'x-api-key', from: 'env:KEY' }] } }),
    'bottles.dev.egress.credentials[0].host',
    '"api.other.com" is not a host of egress.allow; add it there (the proxy inspects a host it sets credentials for)',
  ],
  [
    'a credential read from nowhere known',
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', header: 'x-api-key', from: 'vault:key' }] } }),
    'bottles.dev.egress.credentials[0].from',
    'expected "env:NAME" (a variable of bottle\'s environment at up) or "file:PATH" (a file on the host), got "vault:key"',
  ],
  [
    'a credential that says no header',
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', from: 'env:KEY' }] } }),
    'bottles.dev.egress.credentials[0].header',
    'say which header carries the value ("header": "x-api-key"), or "bearer": true for "Authorization: Bearer"',
  ],
  [
    'a credential in a header the proxy owns',
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', header: 'Host', from: 'env:KEY' }] } }),
    'bottles.dev.egress.credentials[0].header',
    '"Host" is a header the proxy sets itself; use the header the API reads the key from, e.g. "x-api-key" or "authorization"',
  ],
  [
    'two credentials for the same header of a host',
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', header: 'x-api-key', from: 'env:A' }, { host: 'API.example.com', header: 'X-Api-Key', from: 'env:B' }] } }),
    'bottles.dev.egress.credentials[1]',
    'a second credential for the same header of "API.example.com"; keep one',
  ],
  [
    "a credential's placeholder also given a value in the bottle's env",
    withBottle({ env: { ANTHROPIC_API_KEY: 'sk-real' }, egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', header: 'x-api-key', from: 'env:K', placeholderEnv: 'ANTHROPIC_API_KEY' }] } }),
    'bottles.dev.env.ANTHROPIC_API_KEY',
    'ANTHROPIC_API_KEY is the placeholder of a credential the proxy sets (egress.credentials[].placeholderEnv); remove it from env, the agent gets "bottle-placeholder" there',
  ],
  [
    "a credential's placeholder also given a value in the agent's env",
    withBottle({ egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', header: 'x-api-key', from: 'env:K', placeholderEnv: 'ANTHROPIC_API_KEY' }] } }, { env: { ANTHROPIC_API_KEY: 'sk-real' } }),
    'agents.demo.env.ANTHROPIC_API_KEY',
    'ANTHROPIC_API_KEY is the placeholder of a credential the proxy sets (egress.credentials[].placeholderEnv); remove it from env, the agent gets "bottle-placeholder" there',
  ],
  [
    'a secret of env with neither value nor from',
    withBottle({ env: { TOKEN: { secret: true } } }),
    'bottles.dev.env.TOKEN',
    'give either "value" or "from" ("env:NAME" or "file:PATH"), not both and not neither',
  ],
  [
    'path rules on a host that is not inspected',
    withBottle({ egress: { allow: [{ host: 'api.example.com', paths: { allow: ['/v1/*'] } }] } }),
    'bottles.dev.egress.allow[0]',
    'methods and paths apply to an inspected host: add "inspect": true',
  ],
  [
    'inspecting an IP address',
    withBottle({ egress: { allow: [{ host: '10.0.0.1:443', inspect: true }] } }),
    'bottles.dev.egress.allow[0]',
    'inspect needs a host name (the proxy\'s certificate names it), got "10.0.0.1"',
  ],
  [
    'a path rule without a leading slash',
    withBottle({ egress: { allow: [{ host: 'api.example.com', inspect: true, paths: { deny: ['admin/*'] } }] } }),
    'bottles.dev.egress.allow[0]',
    'expected a path pattern that starts with "/", without spaces, "?" or "#" ("*" matches any run of characters), got "admin/*"',
  ],
  [
    'a branch with a space',
    withBottle({ git: { repo: '.', branch: 'my work' } }),
    'bottles.dev.git.branch',
    'expected a branch name, got "my work": leave out spaces, control characters and ~ ^ : ? * [ \\',
  ],
  [
    'a branch written as a ref',
    withBottle({ git: { repo: '.', branch: 'refs/heads/main' } }),
    'bottles.dev.git.branch',
    'expected a branch name, got "refs/heads/main": write the short name, e.g. "main", not "refs/heads/main"',
  ],
  ['a branch with ..', withBottle({ git: { repo: '.', branch: 'a..b' } }), 'bottles.dev.git.branch', 'expected a branch name, got "a..b": leave out "..", "@{" and a lone "@"'],
  [
    'a secret pattern that does not compile',
    withBottle({ git: { repo: '.', secrets: ['key-(['] } }),
    'bottles.dev.git.secrets[0]',
    'expected a regular expression, got "key-([": it is not a valid regular expression (Invalid regular expression: /key-([/: Unterminated character class)',
  ],
  [
    'a secret pattern that matches nothing at all',
    withBottle({ git: { repo: '.', secrets: [{ name: 'any', pattern: 'x*' }] } }),
    'bottles.dev.git.secrets[0].pattern',
    'expected a regular expression, got "x*": it matches the empty text, so it would refuse every push; make it match the secret itself',
  ],
  ['askTimeout under 10 s', withBottle({ supervise: { askTimeout: 5 } }), 'bottles.dev.supervise.askTimeout', 'expected a number of at least 10, got 5'],
  ['an unknown supervise key', withBottle({ supervise: { timeout: 5 } }), 'bottles.dev.supervise', 'unknown key "timeout"; allowed keys: askTimeout'],
  [
    'a git user without email',
    withBottle({ git: { repo: '.', user: { name: 'A' } } }),
    'bottles.dev.git.user.email',
    'expected a string, got nothing; add it',
  ],
  [
    'an agent naming no bottle of the manifest',
    withBottle({}, { bottle: 'prod' }),
    'agents.demo.bottle',
    'no bottle "prod"; bottles: dev, test',
  ],
  [
    'an agent without a bottle',
    { bottles: { dev: {}, test: {} }, agents: { demo: {} } },
    'agents.demo.bottle',
    'expected the name of a bottle (bottles: dev, test), got nothing',
  ],
  [
    'a bottle name with capitals',
    { bottles: { Dev: {} }, agents: { demo: { bottle: 'Dev' } } },
    'bottles.Dev',
    'invalid bottle name "Dev": use only lower-case letters, digits and "-" ' +
      '(bottle names become part of Docker and smolvm machine names); try "dev"',
  ],
  [
    'an agent name with "--"',
    { bottles: { dev: {} }, agents: { 'my--agent': { bottle: 'dev' } } },
    'agents.my--agent',
    'invalid agent name "my--agent": do not use "--" (agent names become part of Docker and smolvm machine names); ' +
      'try "my-agent"',
  ],
  [
    'a bottle name ending in "-"',
    { bottles: { 'dev-': {} }, agents: { demo: { bottle: 'dev-' } } },
    'bottles.dev-',
    'invalid bottle name "dev-": start and end it with a letter or digit ' +
      '(bottle names become part of Docker and smolvm machine names); try "dev"',
  ],
  [
    'a bottle name of 41 characters',
    { bottles: { ['a'.repeat(41)]: {} }, agents: { demo: { bottle: 'a'.repeat(41) } } },
    `bottles.${'a'.repeat(41)}`,
    'invalid bottle name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": use at most 40 characters (it has 41) ' +
      `(bottle names become part of Docker and smolvm machine names); try "${'a'.repeat(40)}"`,
  ],
  [
    'an invalid skill name',
    withBottle({}, { skills: ['review', '../etc'] }),
    'agents.demo.skills[1]',
    'expected a skill name (letters, digits, ".", "_" and "-", starting with a letter or digit), got string ("../etc")',
  ],
  [
    'a skill listed twice',
    withBottle({}, { skills: ['review', 'lint', 'review'] }),
    'agents.demo.skills[2]',
    'skill "review" is already listed at [0]; list each skill once',
  ],
  [
    'both prompt and promptFile',
    withBottle({}, { prompt: 'hi', promptFile: 'prompt.md' }),
    'agents.demo',
    'set either "prompt" (the text) or "promptFile" (a file holding it), not both; remove one of them',
  ],
  ['an empty promptFile', withBottle({}, { promptFile: '' }), 'agents.demo.promptFile', 'expected a non-empty string, got ""'],
  [
    'no bottles',
    { bottles: {}, agents: { demo: { bottle: 'dev' } } },
    'bottles',
    'expected at least one bottle, got none; add one, e.g. "bottles: { dev: {} }"',
  ],
  [
    'no agents',
    { bottles: { dev: {} }, agents: {} },
    'agents',
    'expected at least one agent, got none; add one, e.g. "agents: { demo: { bottle: dev } }"',
  ],
  ['bottles missing', { agents: { demo: { bottle: 'dev' } } }, 'bottles', 'expected an object, got nothing; add it'],
  ['bottles as a list', { bottles: ['dev'], agents: { demo: { bottle: 'dev' } } }, 'bottles', 'expected an object, got list'],
  ['a list at the top', [], '(top level)', 'expected an object, got list'],
  [
    'an empty manifest',
    null,
    '(top level)',
    'the manifest is empty; expected an object with "bottles" and "agents", ' +
      'e.g. {"bottles":{"dev":{}},"agents":{"demo":{"bottle":"dev"}}}',
  ],
];

describe('parseManifest: one message per mistake', () => {
  it.each(CASES)('%s', async (_what, data, path, message) => {
    expect(await issuesOf(data)).toStrictEqual([{ path, message }]);
  });
});

describe('ManifestError', () => {
  it('lists every issue in its message, under the file name', async () => {
    const data = {
      version: 2,
      bottles: {
        dev: { backend: 'dockr', egress: { allow: ['ok.example', 'bad host', 'also.ok', 'x.org:0'] }, extra: 1 },
      },
      agents: { demo: { bottle: 'prod', prompt: 'a', promptFile: 'b' } },
    };
    const error = await manifestErrorOf(parseManifest(data, SOURCE));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ManifestError');
    expect(error.file).toBe('/project/bottle.yaml');
    expect(error.message).toBe(
      [
        '/project/bottle.yaml is not a valid bottle manifest:',
        '  - version: expected 1, got 2',
        '  - bottles.dev.backend: expected one of docker, smolvm, got "dockr"',
        `  - bottles.dev.egress.allow[1]: expected ${EGRESS_FORMS}, got "bad host": write the host alone, without a path, user or spaces`,
        `  - bottles.dev.egress.allow[3]: expected ${EGRESS_FORMS}, got "x.org:0": the port must be a number from 1 to 65535, got "0"`,
        '  - bottles.dev: unknown key "extra"; allowed keys: backend, image, cpus, memory, pids, disk, env, guestHome, user, egress, caches, git, supervise',
        '  - agents.demo.bottle: no bottle "prod"; bottles: dev',
        '  - agents.demo: set either "prompt" (the text) or "promptFile" (a file holding it), not both; remove one of them',
      ].join('\n'),
    );
    expect(error.issues).toHaveLength(7);
  });

  it('reports a duplicate skill even when another skill is not a string', async () => {
    const issues = await issuesOf(withBottle({}, { skills: ['a', 3, 'a'] }));
    expect(issues).toStrictEqual([
      { path: 'agents.demo.skills[1]', message: 'expected a string, got number (3)' },
      { path: 'agents.demo.skills[2]', message: 'skill "a" is already listed at [0]; list each skill once' },
    ]);
  });

  it('reports prompt and promptFile together even when another field of the agent has the wrong type', async () => {
    const issues = await issuesOf(withBottle({}, { skills: 'review', prompt: 'a', promptFile: 'b' }));
    expect(issues.map((issue) => issue.path)).toStrictEqual(['agents.demo.skills', 'agents.demo']);
  });

  it('builds its message from the issues, and keeps a single issue for other failures', () => {
    const invalid = ManifestError.invalid('m.yaml', [{ path: 'a.b', message: 'bad' }]);
    expect(invalid.message).toBe('m.yaml is not a valid bottle manifest:\n  - a.b: bad');
    const other = new ManifestError({ code: 'NOT_FOUND', file: '/x', message: 'no manifest in /x' });
    expect(other.issues).toStrictEqual([{ path: '(top level)', message: 'no manifest in /x' }]);
  });
});
