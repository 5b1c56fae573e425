/**
 * A smolvm bottle for task tests: a real manifest and plan in a temp dir, the
 * real smolvm backend whose runner is a fake smolvm binary, and `bottle task`
 * runs through the real engine and up graph with a shared record.
 */
import { join } from 'node:path';
import { memoryRecorder, runGraph, RUN_ITEM, type NodeResult } from '../../lib/engine/index.js';
import { parseManifest } from '../../lib/manifest/parse.js';
import { buildPlans, instancesOf } from '../../lib/plan/build-plan.js';
import { createSmolvmBackend } from '../../lib/backends/smolvm/backend.js';
import { cliTransport } from '../../lib/backends/smolvm/cli.js';
import { sameOnEveryEngine } from '../../lib/backends/registry.js';
import { upGraph } from '../../graphs/up.js';
import { builtImages } from '../../lib/images/images.js';
import { oncePerRun, type BottleCtx } from '../../tasks/context.js';
import type { FakeSmolvm } from '../backends/smolvm/fake-smolvm.js';

export async function smolvmBottle(work: string, fake: FakeSmolvm, agent: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<BottleCtx> {
  const source = { path: join(work, 'bottle.yaml'), dir: work };
  const backend = createSmolvmBackend({ transport: cliTransport({ runner: fake.runner, binary: 'smolvm' }), runner: fake.runner });
  const manifest = await parseManifest({ bottles: { dev: { backend: 'smolvm' } }, agents: { demo: { bottle: 'dev', ...agent } } }, source);
  const [planned] = buildPlans({
    loaded: { ...source, manifest },
    agents: instancesOf(['demo'], undefined),
    stateRoot: join(work, 'state'),
    home: join(work, 'home'),
    env,
    subnetsInUse: () => [],
    previousSubnets: new Map(),
    defaultBackend: 'docker',
    backendFor: () => backend,
  });
  return { stateRoot: join(work, 'state'), images: builtImages(join(work, 'cache')), backend: sameOnEveryEngine(() => backend), once: oncePerRun(), ...planned!, credentialValues: [] };
}

/** `bottle task <task> <agent>` against one record: needs' outputs come from earlier runs. */
export function taskRunner(ctx: BottleCtx) {
  const recorder = memoryRecorder();
  const done = (output: unknown) => ({ status: 'done' as const, attempts: 1, durationMs: 0, output });
  return {
    recorder,
    /** What an earlier run recorded for a task. */
    record: (task: string, output: unknown, item = ctx.plan.slug) => recorder.update(item, task, done(output)),
    /** The images the image tasks (run-scoped, built by Docker) would have recorded. */
    images: async (agent: string, bundle: string) => {
      await recorder.update(RUN_ITEM, 'base-image', done({ image: 'bot-bottle/base:bookworm' }));
      await recorder.update(RUN_ITEM, 'agent-image', done({ image: agent }));
      await recorder.update(RUN_ITEM, 'bundle-image', done({ image: bundle }));
    },
    async run(task: string): Promise<NodeResult> {
      const result = await runGraph(upGraph(), { items: [{ key: ctx.plan.slug, ctx }], shared: ctx, recorder, target: { item: ctx.plan.slug, task } });
      return result.nodes.get(`${ctx.plan.slug}/${task}`)!;
    },
  };
}
