/**
 * Where everything lives in the state root: the one module that spells its
 * paths. Per item (a bottle's slug, or `_run` for the run-scoped tasks):
 *
 *     <root>/<item>/record.json        the engine's record (record-store.ts)
 *     <root>/<item>/logs/<task>.log    what a task printed (log-writer.ts)
 *
 * and per bottle, beside those:
 *
 *     plan.json                        the bottle's plan
 *     agent/prompt.txt                 the prompt body (0600)
 *     ca/                              the bottle's CA (lib/ca/openssl.ts names its files)
 *     bundle/                          the bundle's config, mounted read-only (egress.json, tls/)
 *     egress/                          the bundle's logs, mounted writable:
 *       egress.jsonl                   the proxy's audit log
 *       git-gate.jsonl                 the git gate's audit log (requests, push decisions)
 *       ready.json                     written by the bundle once every daemon listens
 *     gate/<agent>.git                 the bare repository the git gate serves, mounted writable
 *     host-git.config                  the only git config bottle's own git commands read (safe.directory)
 *     supervise/                       messages.jsonl (the supervise daemon's) and answers.jsonl (bottle answer's), mounted writable
 *     (on an engine that cannot mount host paths, the bundle has volumes in place of
 *     bundle/, egress/, gate/ and supervise/, kept in step with them: lib/provision/bundle-sync.ts)
 *     live-rules.json                  what bottle allow/deny changed since the last up
 *     stopped.json                     when `bottle stop` stopped its machines (stop-mark.ts), until `bottle start`
 *
 * Item keys are checked to be one path segment (root.ts). It creates nothing.
 */
import { join } from 'node:path';
import { RUN_ITEM } from '../engine/index.js';
import { assertSegment, itemDir } from './root.js';

export function recordFile(root: string, item: string): string {
  return join(itemDir(root, item), 'record.json');
}

export function logsDir(root: string, item: string): string {
  return join(itemDir(root, item), 'logs');
}

export function logFile(root: string, item: string, task: string): string {
  return join(logsDir(root, item), `${assertSegment('task name', task)}.log`);
}

/** The directory of the run-scoped tasks (images), locked while they run. */
export function runDir(root: string): string {
  return itemDir(root, RUN_ITEM);
}

export interface BottleFiles {
  dir: string;
  plan: string;
  agentDir: string;
  prompt: string;
  caDir: string;
  bundleDir: string;
  egressDir: string;
  auditLog: string;
  ready: string;
  gateDir: string;
  gateAuditLog: string;
  hostGitConfig: string;
  superviseDir: string;
  liveRules: string;
  /** When `bottle stop` last stopped the bottle's machines (stop-mark.ts). */
  stopped: string;
  /** The sessions `bottle claude`/`exec --session` started in the agent machine (session-marks.ts). */
  sessions: string;
  /** The egress proxy's policy (allowlist with live rules), which it reloads when it changes. */
  egressPolicy: string;
  /** The values the proxy injects (0600, never shown). */
  credentials: string;
  /** The leaf certificates the proxy shows for inspected hosts. */
  leafDir: string;
  /** The manifest's `egress.upstreamCa`, copied for the proxy. */
  upstreamCa: string;
}

/** The names, inside the bundle's config directory, of the files the host keeps changing while the bundle runs. */
export const BUNDLE_LIVE_FILES = {
  egressPolicy: 'egress-policy.json',
  credentials: 'credentials.json',
  leafDir: 'leaves',
  upstreamCa: 'upstream-ca.pem',
} as const;

/** The files of the bottle whose state directory is `dir` (`<root>/<slug>`, as its plan says). */
export function bottleFiles(dir: string): BottleFiles {
  return {
    dir,
    plan: join(dir, 'plan.json'),
    agentDir: join(dir, 'agent'),
    prompt: join(dir, 'agent', 'prompt.txt'),
    caDir: join(dir, 'ca'),
    bundleDir: join(dir, 'bundle'),
    egressDir: join(dir, 'egress'),
    auditLog: join(dir, 'egress', 'egress.jsonl'),
    ready: join(dir, 'egress', 'ready.json'),
    gateDir: join(dir, 'gate'),
    gateAuditLog: join(dir, 'egress', 'git-gate.jsonl'),
    hostGitConfig: join(dir, 'host-git.config'),
    superviseDir: join(dir, 'supervise'),
    liveRules: join(dir, 'live-rules.json'),
    stopped: join(dir, 'stopped.json'),
    sessions: join(dir, 'sessions.json'),
    egressPolicy: join(dir, 'bundle', BUNDLE_LIVE_FILES.egressPolicy),
    credentials: join(dir, 'bundle', BUNDLE_LIVE_FILES.credentials),
    leafDir: join(dir, 'bundle', BUNDLE_LIVE_FILES.leafDir),
    upstreamCa: join(dir, 'bundle', BUNDLE_LIVE_FILES.upstreamCa),
  };
}
