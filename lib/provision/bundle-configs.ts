/**
 * The bundle's config files, made from the plan: one per daemon (egress,
 * git gate, supervise) and the bundle's own, which names them and where the
 * bundle says it is ready. Paths are the bundle's: its read-only config
 * mount, its writable log mount and the two writable data mounts (the gate
 * repository, the supervise messages). Pure: the daemons task writes them.
 */
import { GIT_GATE_PORT, PROXY_PORT, SUPERVISE_PORT, TLS_PROBE_PORT, type BottlePlan } from '../plan/types.js';
import { BUNDLE_LIVE_FILES } from '../state/layout.js';
import { LOOPBACK } from '../policy/egress-policy.js';

/** Where the bundle sees what the host gives it. */
export const BUNDLE_PATHS = {
  config: '/etc/bot-bottle',
  logs: '/var/log/bot-bottle',
  git: '/var/lib/bot-bottle/git',
  supervise: '/var/lib/bot-bottle/supervise',
  /** In the image (images/bundle/Dockerfile): the gate's pre-receive hook. */
  hooks: '/opt/bot-bottle/git-hooks',
} as const;

const ANY = '0.0.0.0';

/** Each file of the bundle's config directory, by name, as the object to write as JSON. */
export function bundleConfigs(plan: BottlePlan): Record<string, object> {
  const { config, logs } = BUNDLE_PATHS;
  return {
    'bundle.json': {
      egress: `${config}/egress.json`,
      gitGate: `${config}/git-gate.json`,
      supervise: `${config}/supervise.json`,
      readyFile: `${logs}/ready.json`,
    },
    'egress.json': egressConfig(plan),
    'git-gate.json': {
      listen: { host: ANY, port: GIT_GATE_PORT },
      root: BUNDLE_PATHS.git,
      repo: plan.gate.repo,
      push: plan.gate.push,
      secrets: plan.gate.secrets,
      auditLog: `${logs}/git-gate.jsonl`,
      hooksDir: BUNDLE_PATHS.hooks,
    },
    'supervise.json': {
      listen: { host: ANY, port: SUPERVISE_PORT },
      dir: BUNDLE_PATHS.supervise,
      askTimeoutMs: plan.supervise.askTimeoutMs,
    },
  };
}

/**
 * The proxy's own settings. What it lets through is not here: it follows the
 * policy file (lib/policy/egress-policy.ts), and the credentials file, which
 * the host rewrites while the bundle runs, so neither recreates the bundle.
 */
function egressConfig(plan: BottlePlan) {
  const { egress } = plan;
  const { config, logs } = BUNDLE_PATHS;
  return {
    listen: { host: ANY, port: PROXY_PORT },
    policyFile: `${config}/${BUNDLE_LIVE_FILES.egressPolicy}`,
    inspect: {
      leafDir: `${config}/${BUNDLE_LIVE_FILES.leafDir}`,
      credentialsFile: `${config}/${BUNDLE_LIVE_FILES.credentials}`,
      upstreamCaFiles: egress.upstreamCa ? [`${config}/${BUNDLE_LIVE_FILES.upstreamCa}`] : [],
    },
    auditLog: `${logs}/egress.jsonl`,
    audit: egress.audit,
    limits: { maxConnections: egress.maxConnections, idleTimeoutMs: egress.idleTimeoutMs },
    tls: { host: LOOPBACK, port: TLS_PROBE_PORT, cert: `${config}/tls/server.crt`, key: `${config}/tls/server.key` },
  };
}
