import { describe, expect, it } from 'vitest';
import { manifestJsonSchema, parseManifest } from '../../lib/manifest/index.js';
import { violations } from './json-schema-check.js';
import { SEED } from './helpers.js';

const SOURCE = { path: '/project/bottle.json', dir: '/project' };

/** Manifests the zod schema accepts: the JSON Schema must accept each of them too. */
const VALID: [string, unknown][] = [
  ['the seed', SEED],
  [
    'every field',
    {
      $schema: './bottle.schema.json',
      version: 1,
      skillsDir: 'skills',
      bottles: {
        dev: {
          backend: 'docker',
          image: 'node:22',
          cpus: 0.5,
          memory: '2GiB',
          pids: 1024,
          disk: 20480,
          env: { A: 'x', PORT: 8080, ON: true },
          guestHome: '/home/agent',
          user: '1000',
          egress: {
            allow: ['api.github.com', '*.npmjs.org:443', '10.0.0.0/8', '[fd00::/8]:443', { host: 'api.example.com', inspect: true, methods: ['GET'], paths: { deny: ['/admin/*'] } }],
            audit: { maxSize: '128m', keep: 3 },
            maxConnections: 10,
            idleTimeout: 60,
            credentials: [{ host: 'api.github.com', bearer: true, from: 'env:GH_TOKEN', placeholderEnv: 'GH_TOKEN' }],
            upstreamCa: 'certs/private-ca.pem',
          },
          git: {
            repo: '.',
            branch: 'feature/x',
            push: ['refs/heads/agent/*'],
            secrets: ['ACME-[0-9]{8}', { name: 'acme token', pattern: 'acme_[a-z]{20}' }],
            user: { name: 'A', email: 'a@b.c' },
          },
          supervise: { askTimeout: 600 },
        },
        'vm-2': { backend: 'smolvm', memory: 512 },
      },
      agents: { demo: { bottle: 'dev', skills: ['a.b_c-d'], prompt: 'hi', env: {} }, w: { bottle: 'vm-2' } },
    },
  ],
];

/** Manifests both schemas refuse, each for one reason the JSON Schema can express. */
const INVALID: [string, unknown, string][] = [
  ['an unknown key', { ...SEED, extra: 1 }, '$.extra: additionalProperties'],
  ['a backend typo', { ...SEED, bottles: { dev: { backend: 'dockr' } } }, '$.bottles.dev.backend: enum'],
  ['a bad bottle name', { ...SEED, bottles: { 'a--b': {} } }, '$.bottles.a--b (name): pattern'],
  ['a long bottle name', { ...SEED, bottles: { ['a'.repeat(41)]: {} } }, `$.bottles.${'a'.repeat(41)} (name): pattern`],
  ['memory as a boolean', { ...SEED, bottles: { dev: { memory: true } } }, '$.bottles.dev.memory: type'],
  ['no bottles', { ...SEED, bottles: {} }, '$.bottles: minProperties'],
  ['an agent without bottle', { ...SEED, agents: { demo: {} } }, '$.agents.demo: required bottle'],
  ['cpus of 0', { ...SEED, bottles: { dev: { cpus: 0 } } }, '$.bottles.dev.cpus: exclusiveMinimum'],
  ['pids as a fraction', { ...SEED, bottles: { dev: { pids: 100.5 } } }, '$.bottles.dev.pids: type'],
  ['pids under 64', { ...SEED, bottles: { dev: { pids: 63 } } }, '$.bottles.dev.pids: minimum'],
  ['audit keep over 10', { ...SEED, bottles: { dev: { egress: { audit: { keep: 11 } } } } }, '$.bottles.dev.egress.audit.keep: maximum'],
  ['maxConnections of 0', { ...SEED, bottles: { dev: { egress: { maxConnections: 0 } } } }, '$.bottles.dev.egress.maxConnections: minimum'],
  ['an unknown egress key', { ...SEED, bottles: { dev: { egress: { deny: [] } } } }, '$.bottles.dev.egress.deny: additionalProperties'],
  ['a bad push pattern', { ...SEED, bottles: { dev: { git: { repo: '.', push: ['main'] } } } }, '$.bottles.dev.git.push[0]: pattern'],
];

describe('manifestJsonSchema', () => {
  const schema = manifestJsonSchema();

  it('is a 2020-12 JSON Schema of an object with bottles and agents', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining(['version', 'skillsDir', 'bottles', 'agents']),
    );
    expect(schema.required).toStrictEqual(['bottles', 'agents']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('is plain JSON (no functions, no hidden state)', () => {
    expect(JSON.parse(JSON.stringify(schema))).toStrictEqual(schema);
  });

  it('documents the defaults', () => {
    const bottle = (schema.properties as any).bottles.additionalProperties.properties;
    expect(bottle.guestHome.default).toBe('/home/node');
    expect(bottle.user.default).toBe('node');
    expect([bottle.cpus.default, bottle.memory.default, bottle.pids.default, bottle.disk.default]).toStrictEqual([2, 4096, 4096, undefined]);
    const egress = bottle.egress.properties;
    expect([egress.maxConnections.default, egress.idleTimeout.default]).toStrictEqual([256, 300]);
    expect([egress.audit.properties.maxSize.default, egress.audit.properties.keep.default]).toStrictEqual([64, 2]);
  });

  it('describes every field', () => {
    const undescribed: string[] = [];
    const visit = (node: any, path: string): void => {
      for (const [key, property] of Object.entries<any>(node.properties ?? {})) {
        if (property.description === undefined && key !== 'version') undescribed.push(`${path}.${key}`);
        visit(property, `${path}.${key}`);
      }
      if (typeof node.additionalProperties === 'object') visit(node.additionalProperties, `${path}.*`);
    };
    visit(schema, '$');
    expect(undescribed).toStrictEqual(['$.bottles.*.git.user.name', '$.bottles.*.git.user.email']);
  });

  it.each(VALID)('accepts %s, which the manifest parser accepts', async (_what, data) => {
    await expect(parseManifest(data, SOURCE)).resolves.toBeDefined();
    expect(violations(schema, data)).toStrictEqual([]);
  });

  it.each(INVALID)('refuses %s, as the manifest parser does', async (_what, data, violation) => {
    await expect(parseManifest(data, SOURCE)).rejects.toThrow(/is not a valid bottle manifest/);
    expect(violations(schema, data)).toStrictEqual([violation]);
  });
});
