/**
 * start-vm: the agent machine on the bottle's private network, its proxy env
 * pointing at the bundle, its workspace in place before it first starts (a
 * clone of the gate repository, origin at the git gate), hardened and limited (the backend drops every
 * capability; the plan gives cpus, memory, pids and disk), its resolver's
 * only upstream the bundle, so no lookup leaves the bottle. Reused while its
 * configuration is unchanged; recreated (new id, so every task after it runs
 * again) otherwise, a remade network included. It starts after the bundle
 * (needs daemons): the agent never runs without its only way out, and on
 * smolvm the first machine on the network gets the address the plan gives
 * the bundle (lib/backends/smolvm/fabric.ts).
 */
import { BACKEND_CALLS } from '../lib/limits/names.js';
import { daemons } from './daemons.js';
import { network } from './network.js';
import { prepare } from './prepare.js';
import { hash, stableStringify } from '../lib/engine/index.js';
import { agentImage } from './agent-image.js';
import { readFile } from 'node:fs/promises';
import type { FilesRequest, ReadMachineFile } from '../lib/backends/types.js';
import { caFiles, imageRootsOf } from '../lib/provision/ca.js';
import { CLAUDE_CONFIG, claudeConfigFiles, MAX_CLAUDE_CONFIG_BYTES } from '../lib/provision/claude.js';
import { identityFiles } from '../lib/provision/git.js';
import { workspaceFiles } from '../lib/provision/workspace.js';
import { gateRepo, type GateRepoOutput } from './gate-repo.js';
import { gitFor } from '../lib/gate/of-plan.js';
import { promptFiles } from '../lib/provision/prompt.js';
import { skillFiles } from '../lib/provision/skills.js';
import type { PrepareOutput } from './prepare.js';
import { backendOf, bottleTask, op, type BottleCtx } from './context.js';

export interface StartVmOutput {
  machine: string;
  id: string;
  image: string;
  /** Whether this run made the machine, with every file of the bottle in it (newMachineFiles). */
  created: boolean;
}

/**
 * True when start-vm made the machine in this run, so the files a task puts
 * in place came with it already: the task then writes nothing. A task run
 * alone (`bottle task`, its machine up to date) always writes.
 */
export function cameWithMachine(io: { ran: ReadonlySet<string>; needs: { readonly 'start-vm': StartVmOutput } }): boolean {
  return io.ran.has('start-vm') && io.needs['start-vm'].created;
}

/**
 * What a new machine holds before it first starts: the workspace and every
 * file the later tasks put in place (prompt, skills, git identity, Claude
 * Code's config, the CA), each from the same builder (lib/provision), so a
 * batch costs an archive or three per bottle, not one per task.
 */
function newMachineFiles(ctx: BottleCtx, prepared: PrepareOutput, gate: GateRepoOutput, image: string, signal: AbortSignal) {
  const { plan } = ctx;
  return async (read: ReadMachineFile): Promise<FilesRequest[]> => {
    const [pem, claude, roots, skills, workspace] = await Promise.all([
      readFile(prepared.caCert, 'utf8'),
      read(`${plan.guestHome}/${CLAUDE_CONFIG}`, MAX_CLAUDE_CONFIG_BYTES),
      imageRootsOf(image, read),
      skillFiles(plan, prepared.skills),
      gitFor(plan).then((git) => workspaceFiles(git, plan, gate, signal)),
    ]);
    return [
      workspace,
      promptFiles(plan, ctx.prompt),
      identityFiles(plan),
      claudeConfigFiles(plan, claude),
      ...(skills ? [skills] : []),
      ...caFiles(plan, `${pem.trim()}\n`, roots),
    ];
  };
}

function machineConfig(ctx: BottleCtx, image: string) {
  const { plan } = ctx;
  return {
    image,
    user: plan.user,
    cpus: plan.cpus,
    memoryMiB: plan.memoryMiB,
    pids: plan.pids,
    ...(plan.diskMiB ? { diskMiB: plan.diskMiB } : {}),
    dns: [plan.bundleIp],
    env: ctx.guestEnv,
    network: plan.network.name,
    ...(plan.caches.length > 0 ? { volumes: plan.caches.map((c) => ({ name: c.volume, guest: c.guest, labels: c.labels })) } : {}),
    // The workspace is made with the machine: a new origin means a new machine.
    origin: plan.gitOrigin,
  };
}

export const startVm = bottleTask({
  id: 'start-vm',
  title: 'Start machine',
  summary: 'the agent machine, its workspace (a clone of the gate repository) and files in place',
  needs: [prepare, network, agentImage, daemons, gateRepo],
  resources: [BACKEND_CALLS],
  retry: { attempts: 3, baseMs: 1000 },
  timeoutMs: 120_000,
  // Env values are hashed into the fingerprint, never stored.
  fingerprint: (ctx) => machineConfig(ctx, ctx.plan.image ?? ''),
  run: async (ctx, io): Promise<StartVmOutput> => {
    const { plan } = ctx;
    const image = plan.image ?? io.needs['agent-image'].image;
    const config = machineConfig(ctx, image);
    const networkId = io.needs.network.id;
    const { origin: _origin, ...machine } = config;
    const info = await backendOf(ctx).startMachine(
      {
        ...machine,
        name: plan.machine,
        initialFiles: newMachineFiles(ctx, io.needs.prepare, io.needs['gate-repo'], image, io.signal),
        labels: { ...plan.labels, 'bot-bottle.role': 'agent' },
        configHash: hash(stableStringify({ ...config, networkId })),
      },
      op(io),
    );
    io.log(info.created ? `created ${info.name} (${info.id.slice(0, 12)})` : `reusing ${info.name} (${info.id.slice(0, 12)})`);
    return { machine: info.name, id: info.id, image, created: info.created };
  },
  isDone: async (ctx, out, signal) => (await backendOf(ctx).status([out.machine], { signal })).get(out.machine) === 'running',
});
