/**
 * The up graph: the tasks that provision a bottle (docs/architecture.md,
 * "The up graph", lists each one's needs and work).
 *
 * base-image ─┬─ agent-image ─────────────────────┐
 *             └─ bundle-image ─┐                  │
 * prepare ─┬─ network ─────────┼─ daemons ─┬─ start-vm ─┬─ ca ────────┐
 *          ├─ gate-repo ───────┘           │            ├─ git ───────┤
 *          └───────────────────────────────┘            ├─ prompt ────┼─ ready
 *                                                        ├─ skills ────┘
 *                                                        └─ supervise
 * (start-vm after daemons: the agent starts once its way out is up; it
 * needs gate-repo too, whose clone is the new machine's workspace.)
 */
import { defineGraph, type Graph } from '../lib/engine/index.js';
import type { RunEnv } from '../tasks/context.js';
import { agentImage } from '../tasks/agent-image.js';
import { baseImage } from '../tasks/base-image.js';
import { bundleImage } from '../tasks/bundle-image.js';
import { ca } from '../tasks/ca.js';
import { daemons } from '../tasks/daemons.js';
import { gateRepo } from '../tasks/gate-repo.js';
import { git } from '../tasks/git.js';
import { network } from '../tasks/network.js';
import { prepare } from '../tasks/prepare.js';
import { prompt } from '../tasks/prompt.js';
import { ready } from '../tasks/ready.js';
import { skills } from '../tasks/skills.js';
import { startVm } from '../tasks/start-vm.js';
import { supervise } from '../tasks/supervise.js';

export const UP_TASKS = [baseImage, agentImage, bundleImage, prepare, network, gateRepo, daemons, startVm, prompt, skills, ca, git, supervise, ready];

export function upGraph(): Graph<RunEnv> {
  return defineGraph<RunEnv>(UP_TASKS);
}
