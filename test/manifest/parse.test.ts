import { join } from 'node:path';
import { defaultLimits } from '../../lib/limits/names.js';
import { describe, expect, it } from 'vitest';
import { parseManifest, type Bottle, type Manifest } from '../../lib/manifest/index.js';
import { SEED, tempDir, writeFiles } from './helpers.js';

const SOURCE = { path: '/project/bottle.yaml', dir: '/project' };

/** The hosts of a manifest without `hosts:`: the local engine alone. */
const LOCAL_ONLY: Manifest['hosts'] = { local: { name: 'local', engine: { kind: 'local' }, insecure: false } };

/** What a bottle that sets nothing is, but for its name. */
const DEFAULT_BOTTLE: Omit<Bottle, 'name'> = {
  cpus: 2,
  memory: 4096,
  pids: 4096,
  env: {},
  secretEnv: {},
  guestHome: '/home/node',
  user: 'node',
  egress: { allow: [], audit: { maxBytes: 64 * 1024 * 1024, keep: 2 }, maxConnections: 256, idleTimeout: 300, credentials: [] },
  caches: [],
  supervise: { askTimeout: 3600 },
};

describe('parseManifest: normalised output', () => {
  it('accepts the seed and fills in every default', async () => {
    const manifest = await parseManifest(SEED, SOURCE);
    expect(manifest).toStrictEqual<Manifest>({
      version: 1,
      skillsDir: '/project/skills',
      limits: defaultLimits(),
      hosts: LOCAL_ONLY,
      placement: 'spread',
      bottles: {
        dev: { name: 'dev', ...DEFAULT_BOTTLE },
      },
      agents: {
        demo: { name: 'demo', bottle: 'dev', skills: [], prompt: '', promptSource: 'inline', env: {}, secretEnv: {} },
      },
    });
  });

  it('fills in the defaults of an agent that gives only its bottle', async () => {
    const manifest = await parseManifest({ bottles: { dev: {} }, agents: { a: { bottle: 'dev' } } }, SOURCE);
    expect(manifest.agents.a).toStrictEqual({
      name: 'a',
      bottle: 'dev',
      skills: [],
      prompt: '',
      promptSource: 'inline',
      env: {},
      secretEnv: {},
    });
  });

  it('normalises a manifest that sets every field', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'prompts/writer.md': 'Write well.\n' });
    const data = {
      $schema: './bottle.schema.json',
      version: 1,
      skillsDir: './my-skills',
      limits: { backend: 8 },
      bottles: {
        dev: {
          backend: 'docker',
          image: 'node:22-bookworm',
          cpus: 1.5,
          memory: '2GiB',
          pids: 64,
          disk: '20g',
          env: { DEBUG: '1', PORT: 8080, VERBOSE: true },
          guestHome: '/home//agent/',
          user: 'agent',
          egress: {
            allow: [
              'api.github.com',
              'Registry.NPMJS.org:443',
              '*.Example.com',
              '*.internal.test:8443',
              '10.0.0.1',
              ' API.github.com ',
              '10.0.0.0/8:443',
              '[FD00::1]:443',
              '[fd00::/8]',
              '[fd00:0::1]:443',
            ],
            audit: { maxSize: '1g', keep: 0 },
            maxConnections: 65536,
            idleTimeout: 1,
          },
          git: {
            repo: 'repo',
            branch: 'work',
            push: ['refs/heads/agent/*', 'refs/tags/v1.0'],
            secrets: [{ name: 'acme', pattern: 'acme_[a-z]{20}' }],
            user: { name: 'Agent', email: 'agent@example.com' },
          },
          caches: ['npm', 'npm', 'pip'],
          supervise: { askTimeout: 10 },
        },
        vm: { backend: 'smolvm', memory: 512, cpus: 64, egress: { audit: {} } },
        small: { memory: '131072k', egress: { audit: { maxSize: 1 } } },
      },
      agents: {
        demo: { bottle: 'dev', skills: ['review', 'git.helper_2'], prompt: 'Be careful.', env: { TOKEN_NAME: 'x' } },
        writer: { bottle: 'vm', promptFile: 'prompts/writer.md' },
      },
    };
    const manifest = await parseManifest(data, { path: `${dir}/bottle.yaml`, dir }, { home: dir });
    expect(manifest).toStrictEqual<Manifest>({
      version: 1,
      skillsDir: `${dir}/my-skills`,
      limits: { ...defaultLimits(), backend: 8 },
      hosts: LOCAL_ONLY,
      placement: 'spread',
      bottles: {
        dev: {
          name: 'dev',
          backend: 'docker',
          image: 'node:22-bookworm',
          cpus: 1.5,
          memory: 2048,
          pids: 64,
          disk: 20480,
          env: { DEBUG: '1', PORT: '8080', VERBOSE: 'true' },
          secretEnv: {},
          guestHome: '/home/agent',
          user: 'agent',
          egress: {
            allow: [
              { host: 'api.github.com', port: null },
              { host: 'registry.npmjs.org', port: 443 },
              { host: '*.example.com', port: null },
              { host: '*.internal.test', port: 8443 },
              { host: '10.0.0.1', port: null },
              { host: '10.0.0.0/8', port: 443 },
              { host: 'fd00::1', port: 443 },
              { host: 'fd00::/8', port: null },
            ],
            audit: { maxBytes: 1024 * 1024 * 1024, keep: 0 },
            maxConnections: 65536,
            idleTimeout: 1,
            credentials: [],
          },
          git: {
            repo: join(dir, 'repo'),
            branch: 'work',
            push: ['refs/heads/agent/*', 'refs/tags/v1.0'],
            secrets: [{ name: 'acme', pattern: 'acme_[a-z]{20}' }],
            user: { name: 'Agent', email: 'agent@example.com' },
          },
          caches: ['npm', 'pip'],
          supervise: { askTimeout: 10 },
        },
        vm: { ...DEFAULT_BOTTLE, name: 'vm', backend: 'smolvm', cpus: 64, memory: 512 },
        small: {
          ...DEFAULT_BOTTLE,
          name: 'small',
          memory: 128,
          egress: { ...DEFAULT_BOTTLE.egress, audit: { maxBytes: 1024 * 1024, keep: 2 } },
        },
      },
      agents: {
        demo: {
          name: 'demo',
          bottle: 'dev',
          skills: ['review', 'git.helper_2'],
          prompt: 'Be careful.',
          promptSource: 'inline',
          env: { TOKEN_NAME: 'x' },
          secretEnv: {},
        },
        writer: {
          name: 'writer',
          bottle: 'vm',
          skills: [],
          prompt: 'Write well.\n',
          promptSource: `${dir}/prompts/writer.md`,
          env: {},
          secretEnv: {},
        },
      },
    });
  });

  it('keeps secrets of env apart from plain values: written ones as values, `from` ones as where to read them', async () => {
    const data = {
      bottles: { dev: { env: { PLAIN: 'a', TOKEN: { value: 'tok-1234', secret: true }, SHOWN: { value: 8080 } } } },
      agents: { a: { bottle: 'dev', env: { KEY: { from: 'env:HOST_KEY' }, FILE_KEY: { from: 'file:keys/k.txt' } } } },
    };
    const manifest = await parseManifest(data, SOURCE);
    expect(manifest.bottles['dev']).toMatchObject({ env: { PLAIN: 'a', SHOWN: '8080' }, secretEnv: { TOKEN: { kind: 'value', value: 'tok-1234' } } });
    expect(manifest.agents['a']).toMatchObject({ env: {}, secretEnv: { KEY: { kind: 'env', name: 'HOST_KEY' }, FILE_KEY: { kind: 'file', path: 'keys/k.txt' } } });
  });

  it('leaves push to the plan\'s per-agent default when a git section names none, and keeps [] as "no push allowed"', async () => {
    const manifest = await parseManifest(
      { bottles: { dev: { git: { repo: '/srv/repo' } }, shut: { git: { repo: '/srv/repo', push: [] } } }, agents: { a: { bottle: 'dev' } } },
      SOURCE,
      { allowOutside: ['/srv'] },
    );
    expect(manifest.bottles.dev?.git).toStrictEqual({ repo: '/srv/repo', secrets: [] });
    expect(manifest.bottles.shut?.git).toStrictEqual({ repo: '/srv/repo', push: [], secrets: [] });
  });

  it('names each secret pattern given as a bare expression by where it is', async () => {
    const manifest = await parseManifest(
      { bottles: { dev: { git: { repo: '/srv/repo', branch: 'dev', secrets: ['ACME-[0-9]{8}', { name: 'acme', pattern: 'acme_[a-z]+' }] } } }, agents: { a: { bottle: 'dev' } } },
      SOURCE,
      { allowOutside: ['/srv'] },
    );
    expect(manifest.bottles.dev?.git).toStrictEqual({
      repo: '/srv/repo',
      branch: 'dev',
      secrets: [
        { name: 'git.secrets[0]', pattern: 'ACME-[0-9]{8}' },
        { name: 'acme', pattern: 'acme_[a-z]+' },
      ],
    });
  });

  it('inspects the hosts it sets credentials for, reads nothing yet, and resolves credential files', async () => {
    const data = {
      bottles: {
        dev: {
          egress: {
            allow: ['api.example.com', { host: 'api.other.com:443', inspect: true, methods: ['get', 'POST'], paths: { allow: ['/v1/*'] } }],
            credentials: [
              { host: 'API.example.com', header: 'X-Api-Key', from: 'env:EXAMPLE_KEY', placeholderEnv: 'EXAMPLE_KEY' },
              { host: 'api.other.com', bearer: true, from: 'file:keys/other' },
            ],
          },
        },
      },
      agents: { a: { bottle: 'dev' } },
    };
    const egress = (await parseManifest(data, SOURCE)).bottles.dev!.egress;
    expect(egress.allow).toStrictEqual([
      { host: 'api.example.com', port: null, inspect: true },
      { host: 'api.other.com', port: 443, inspect: true, methods: ['GET', 'POST'], paths: { allow: ['/v1/*'] } },
    ]);
    expect(egress.credentials).toStrictEqual([
      { host: 'api.example.com', header: 'x-api-key', prefix: '', from: { kind: 'env', name: 'EXAMPLE_KEY' }, placeholderEnv: 'EXAMPLE_KEY' },
      { host: 'api.other.com', header: 'authorization', prefix: 'Bearer ', from: { kind: 'file', path: '/project/keys/other' } },
    ]);
  });

  it('refuses a credential file outside the project, unless allowed', async () => {
    const data = { bottles: { dev: { egress: { allow: ['api.example.com'], credentials: [{ host: 'api.example.com', bearer: true, from: 'file:/etc/keys/k' }] } } }, agents: { a: { bottle: 'dev' } } };
    await expect(parseManifest(data, SOURCE)).rejects.toThrow('bottles.dev.egress.credentials[0].from: the credential file "/etc/keys/k" is outside the directories a manifest may use');
    expect((await parseManifest(data, SOURCE, { allowOutside: ['/etc/keys'] })).bottles.dev!.egress.credentials).toHaveLength(1);
  });

  it('refuses a git.repo outside the project, whose branches would go to the agent, unless allowed', async () => {
    const data = { bottles: { dev: { git: { repo: '/srv/other' } } }, agents: { a: { bottle: 'dev' } } };
    await expect(parseManifest(data, SOURCE)).rejects.toThrow(
      'bottles.dev.git.repo: git.repo "/srv/other" is outside the directories a manifest may use (/project, ',
    );
    expect((await parseManifest(data, SOURCE, { allowOutside: ['/srv/other'] })).bottles.dev?.git?.repo).toBe('/srv/other');
  });

  it('accepts an absolute skillsDir as it is, where it is allowed', async () => {
    const manifest = await parseManifest({ ...SEED, skillsDir: '/opt/skills' }, SOURCE, { allowOutside: ['/opt'] });
    expect(manifest.skillsDir).toBe('/opt/skills');
  });

  it('refuses a relative source dir, home or allowed dir, a programming error', async () => {
    await expect(parseManifest(SEED, { path: 'bottle.yaml', dir: 'project' })).rejects.toThrow(TypeError);
    await expect(parseManifest(SEED, SOURCE, { home: 'home' })).rejects.toThrow(TypeError);
    await expect(parseManifest(SEED, SOURCE, { allowOutside: ['shared'] })).rejects.toThrow(
      'confinementOf: expected absolute directories, got "shared"',
    );
  });
});

describe('parseManifest: hosts', () => {
  it('normalises hosts: TLS paths made absolute, the engine kind, budgets and insecure', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'certs/ca.pem': 'x', 'certs/cert.pem': 'x', 'certs/key.pem': 'x' });
    const data = {
      hosts: {
        local: { bottles: 20 },
        b: { docker: 'tcp://10.0.0.2:2376', tls: { ca: 'certs/ca.pem', cert: 'certs/cert.pem', key: 'certs/key.pem' }, bottles: 40 },
        c: { docker: 'ssh://ops@c.example', bottles: 40 },
        d: { context: 'build-box' },
        e: { docker: 'tcp://10.0.0.3:2375', insecure: true },
      },
      placement: 'pack',
      bottles: { dev: {} },
      agents: { demo: { bottle: 'dev', host: 'c' } },
    };
    const manifest = await parseManifest(data, { path: `${dir}/bottle.yaml`, dir }, { home: dir });
    expect(manifest.hosts).toStrictEqual<Manifest['hosts']>({
      local: { name: 'local', engine: { kind: 'local' }, bottles: 20, insecure: false },
      b: { name: 'b', engine: { kind: 'url', docker: 'tcp://10.0.0.2:2376', tls: { ca: `${dir}/certs/ca.pem`, cert: `${dir}/certs/cert.pem`, key: `${dir}/certs/key.pem` } }, bottles: 40, insecure: false },
      c: { name: 'c', engine: { kind: 'url', docker: 'ssh://ops@c.example' }, bottles: 40, insecure: false },
      d: { name: 'd', engine: { kind: 'context', context: 'build-box' }, insecure: false },
      e: { name: 'e', engine: { kind: 'url', docker: 'tcp://10.0.0.3:2375' }, insecure: true },
    });
    expect(manifest.placement).toBe('pack');
    expect(manifest.agents.demo?.host).toBe('c');
  });

  it('refuses TLS files outside the project, as other host paths', async () => {
    const dir = await tempDir();
    const data = {
      hosts: { b: { docker: 'tcp://10.0.0.2:2376', tls: { ca: '/etc/ca.pem', cert: 'cert.pem', key: '../key.pem' } } },
      bottles: { dev: {} },
      agents: { demo: { bottle: 'dev' } },
    };
    const error = await parseManifest(data, { path: `${dir}/bottle.yaml`, dir }, { home: dir }).catch((e: unknown) => e);
    expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toStrictEqual(['hosts.b.tls.ca', 'hosts.b.tls.key']);
    expect((error as Error).message).toMatch(/the TLS ca file "\/etc\/ca.pem" is outside the directories a manifest may use .*; move it inside the project or pass --allow-outside \/etc/);
  });
});
