import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../lib/manifest/parse.js';
import { buildPlans, instancesOf, slugsOf } from '../../lib/plan/build-plan.js';
import type { LoadedManifest } from '../../lib/manifest/types.js';
import { backendsForRun } from '../../lib/backends/registry.js';
import { hostIn } from '../../lib/net/subnets.js';

async function loaded(data: unknown): Promise<LoadedManifest> {
  const source = { path: '/work/proj/bottle.yaml', dir: '/work/proj' };
  return { ...source, manifest: await parseManifest(data, source) };
}

const base = {
  loaded: undefined as unknown as LoadedManifest,
  stateRoot: '/state',
  home: '/root',
  env: {},
  subnetsInUse: () => ['172.17.0.0/16'],
  previousSubnets: new Map<string, string>(),
  defaultBackend: 'docker' as const,
  backendFor: backendsForRun(),
};

describe('buildPlans', () => {
  it('names everything after the slug and gives the bundle .2 of a private /28', async () => {
    const m = await loaded({ bottles: { dev: {} }, agents: { demo: { skills: [], prompt: '', bottle: 'dev' } } });
    const plan = buildPlans({ ...base, loaded: m, agents: instancesOf(['demo'], undefined) })[0]!.plan as any;
    expect(plan.slug).toMatch(/^demo-[0-9a-f]{5}$/);
    expect(plan).toMatchObject({
      machine: `claude-bottle-${plan.slug}`,
      bundle: `claude-bottle-${plan.slug}-bundle`,
      network: { name: `claude-bottle-${plan.slug}`, egress: { name: 'claude-bottle-egress-10-213', subnet: '10.213.240.0/20' }, labels: { 'bot-bottle.slug': plan.slug, 'bot-bottle.agent': 'demo', 'bot-bottle.state-root': '/state' } },
      stateDir: `/state/${plan.slug}`,
      promptFile: `/state/${plan.slug}/agent/prompt.txt`,
      guestPromptPath: '/home/node/.claude-bottle-prompt.txt',
      guestSkillsDir: '/home/node/.claude/skills',
      skillDirs: ['/work/proj/skills', '/root/.claude/skills'],
      user: 'node',
      labels: { 'bot-bottle.slug': plan.slug, 'bot-bottle.agent': 'demo', 'bot-bottle.state-root': '/state' },
    });
    expect(plan.network.subnet).toMatch(/^10\.213\.\d+\.\d+\/28$/);
    expect(plan.bundleIp).toBe(hostIn(plan.network.subnet, 2));
    // The proxy refuses the bottles' pool as a destination, besides the private ranges.
    expect(plan.egress.deny).toEqual(['10.213.0.0/16']);
    expect(plan.proxyUrl).toBe(`http://${plan.bundleIp}:3128`);
  });

  it('gives two bottles different subnets and honours BOTTLE_GUEST_SKILLS_DIR and guestHome', async () => {
    const m = await loaded({
      bottles: { dev: { guestHome: '/home/dev', user: 'dev' } },
      agents: { a: { bottle: 'dev' }, b: { bottle: 'dev' } },
    });
    const plans = buildPlans({ ...base, loaded: m, agents: instancesOf(['a', 'b'], undefined), env: { BOTTLE_GUEST_SKILLS_DIR: '/opt/skills' } }).map((p) => p.plan);
    expect(plans[0]!.network.subnet).not.toBe(plans[1]!.network.subnet);
    expect(plans[0]).toMatchObject({ guestSkillsDir: '/opt/skills', guestPromptPath: '/home/dev/.claude-bottle-prompt.txt', user: 'dev' });
  });

  it('points the guest at its proxy, lets the agent env win, and keeps env values out of the plan', async () => {
    const m = await loaded({
      bottles: { dev: { env: { MODE: 'bottle', TOKEN: 'sekret-1' } } },
      agents: { demo: { bottle: 'dev', env: { MODE: 'agent' } } },
    });
    const [p] = buildPlans({ ...base, loaded: m, agents: instancesOf(['demo'], undefined) });
    expect(p!.guestEnv).toMatchObject({ MODE: 'agent', HTTPS_PROXY: p!.plan.proxyUrl, HOME: '/home/node' });
    expect(p!.guestEnv.NO_PROXY).toBe(`localhost,127.0.0.1,${p!.plan.bundle},${p!.plan.bundleIp}`);
    expect(p!.plan.envNames).toContain('TOKEN');
    expect(JSON.stringify(p!.plan)).not.toContain('sekret-1');
  });

  it('makes --count copies of an agent, each a bottle of its own', async () => {
    const m = await loaded({ bottles: { dev: {} }, agents: { demo: { bottle: 'dev', prompt: 'p' } } });
    const plans = buildPlans({ ...base, loaded: m, agents: instancesOf(['demo'], 3) });
    expect(plans.map((p) => [p.plan.agent, p.plan.definition, p.prompt])).toEqual([
      ['demo-1', 'demo', 'p'],
      ['demo-2', 'demo', 'p'],
      ['demo-3', 'demo', 'p'],
    ]);
    expect(new Set(plans.map((p) => p.plan.slug)).size).toBe(3);
    expect(new Set(plans.map((p) => p.plan.network.subnet)).size).toBe(3);
  });

  it('puts a smolvm bottle\'s bundle at its network\'s first address, found by address (no DNS there); docker keeps its own', async () => {
    const m = await loaded({ bottles: { vm: { backend: 'smolvm' }, dev: {} }, agents: { a: { bottle: 'vm' }, b: { bottle: 'dev' } } });
    const [vm, dev] = buildPlans({ ...base, loaded: m, agents: instancesOf(['a', 'b'], undefined) });
    expect(vm!.plan).toMatchObject({
      backend: 'smolvm',
      network: { name: `claude-bottle-${vm!.plan.slug}`, subnet: null },
      bundleIp: '100.96.1.2',
      bundleHost: '100.96.1.2',
      proxyUrl: 'http://100.96.1.2:3128',
    });
    expect(vm!.guestEnv).toMatchObject({ HTTPS_PROXY: 'http://100.96.1.2:3128', NO_PROXY: `localhost,127.0.0.1,${vm!.plan.bundle},100.96.1.2` });
    expect(vm!.plan.egress.deny).toEqual(['100.96.0.0/16']);
    expect(dev!.plan.bundleHost).toBe(dev!.plan.bundle);
    expect(dev!.plan.proxyUrl).toBe(`http://${dev!.plan.bundleIp}:3128`);
  });

  it('keeps a bottle on the subnet it had', async () => {
    const m = await loaded({ bottles: { dev: {} }, agents: { demo: { bottle: 'dev' } } });
    const [first] = buildPlans({ ...base, loaded: m, agents: instancesOf(['demo'], undefined) });
    const previous = new Map([[first!.plan.slug, '10.213.200.16/28']]);
    const [again] = buildPlans({ ...base, loaded: m, agents: instancesOf(['demo'], undefined), previousSubnets: previous });
    expect(again!.plan.network.subnet).toBe('10.213.200.16/28');
  });
});

describe('slugsOf', () => {
  it('never gives a --count copy the slug of a manifest agent of the same name', async () => {
    const m = await loaded({ bottles: { dev: {} }, agents: { a: { bottle: 'dev' }, 'a-1': { bottle: 'dev' } } });
    const [copy] = slugsOf(m, instancesOf(['a'], 1));
    const [agent] = slugsOf(m, instancesOf(['a-1'], undefined));
    expect(copy).toMatch(/^a-1-[0-9a-f]{5}$/);
    expect(agent).toMatch(/^a-1-[0-9a-f]{5}$/);
    expect(copy).not.toBe(agent);
  });
});
