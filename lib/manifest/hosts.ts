/**
 * `hosts:` and `placement:` of a manifest: the Docker Engines its bottles may
 * be spread over, each with an optional budget of bottles. A host is the
 * local engine (no `docker` or `context`), a Docker host URL (`unix://`,
 * `tcp://` with its TLS files, `ssh://`) or a Docker context's name. Plain
 * `tcp://` (no TLS) hands root on that machine to anyone who can reach the
 * port, so it is refused unless the host says `insecure: true`. It checks
 * the forms only: lib/docker/host-endpoint.ts reads the TLS files and the
 * context when an endpoint is made; it connects to nothing. Defaults are
 * filled in by normalize.ts.
 */
import * as z from 'zod';
import { DEFAULT_PLACEMENT, MAX_HOST_BOTTLES, PLACEMENTS } from './defaults.js';
import { quote } from './describe.js';
import { hostPathSchema, systemString } from './system-strings.js';

/** A Docker context's name, as `docker context create` takes it. */
const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/;

const URL_FORMS = 'unix:///path, tcp://host:port (with tls: { ca, cert, key }) or ssh://user@host[:port]';

export const INSECURE_HOW = 'set `insecure: true` on the host';

/** What is wrong with a Docker host URL, or undefined; `scheme` is its scheme when it is one of ours. */
export function dockerUrlProblem(docker: string): string | undefined {
  const wrong = `expected ${URL_FORMS}, got ${quote(docker)}; for a Docker context, write context: NAME instead`;
  if (docker.startsWith('unix://')) return docker.length > 'unix://'.length && docker.startsWith('unix:///') ? undefined : wrong;
  let url: URL;
  try {
    url = new URL(docker);
  } catch {
    return wrong;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'ssh:') return wrong;
  if (!url.hostname) return wrong;
  if (url.pathname !== '' && url.pathname !== '/') return wrong;
  // It would be kept in every bottle's plan.json and shown wherever the host is named.
  if (url.password !== '') return `a password in ${url.protocol}// is not kept: remove it and give the key to ssh-agent (or use a Docker context)`;
  return undefined;
}

const tlsSchema = z
  .strictObject({
    ca: hostPathSchema().meta({ description: "The CA that signed the engine's certificate, relative to the manifest's directory." }),
    cert: hostPathSchema().meta({ description: "The client certificate, relative to the manifest's directory." }),
    key: hostPathSchema().meta({ description: "The client certificate's key, relative to the manifest's directory." }),
  })
  .meta({ description: 'For a tcp:// host: the client TLS files (PEM), as `docker --tlsverify` takes them.' });

const hostSchema = z
  .strictObject({
    docker: systemString(z.string().min(1))
      .optional()
      .meta({ description: `The engine: ${URL_FORMS}. Neither docker nor context: the local engine.` }),
    context: systemString(z.string().regex(CONTEXT_NAME, { error: (issue) => `expected the name of a Docker context (\`docker context ls\`), got ${quote(String(issue.input))}` }))
      .optional()
      .meta({ description: 'The name of a Docker context of this machine (`docker context ls`), instead of docker.' }),
    tls: tlsSchema.optional(),
    insecure: z
      .boolean()
      .optional()
      .meta({ description: 'Allow a plain tcp:// host, without TLS: anyone who can reach its port is root on it.', default: false }),
    bottles: z
      .number()
      .int()
      .gte(1)
      .lte(MAX_HOST_BOTTLES, { abort: true })
      .optional()
      .meta({ description: `How many bottles this engine may run at once, 1 to ${MAX_HOST_BOTTLES}; no budget by default.` }),
  })
  .superRefine(
    (host, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (host.docker !== undefined && host.context !== undefined) {
        issue('context', 'set either docker (a Docker host URL) or context (a Docker context name), not both; remove one of them');
        return;
      }
      const problem = host.docker === undefined ? undefined : dockerUrlProblem(host.docker);
      if (problem !== undefined) return issue('docker', problem);
      const tcp = host.docker?.startsWith('tcp://') ?? false;
      if (host.tls !== undefined && !tcp) {
        const what = host.docker !== undefined ? `docker is ${quote(host.docker)}` : host.context !== undefined ? `context ${quote(host.context)} keeps its own TLS files` : 'the local engine needs none';
        return issue('tls', `TLS files are for a tcp:// host only, and ${what}; remove tls, or give docker: tcp://host:port`);
      }
      if (tcp && host.tls === undefined && host.insecure !== true) {
        issue(
          'docker',
          `${quote(host.docker!)} is plain TCP without TLS: anyone who can reach that port runs anything on that engine as root; ` +
            `give its TLS files (tls: { ca, cert, key }), reach it over ssh://user@host, or ${INSECURE_HOW}`,
        );
      }
      if (host.insecure === true && !(tcp && host.tls === undefined)) issue('insecure', 'insecure is for a plain tcp:// host without tls only; remove it');
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

/** The local engine, as `hosts:` writes it: neither docker nor context. */
export function isLocalHost(host: { docker?: string | undefined; context?: string | undefined }): boolean {
  return host.docker === undefined && host.context === undefined;
}

export function hostsSchema<T extends z.ZodType<string>>(names: T) {
  return z
    .record(names, hostSchema)
    .superRefine((hosts, ctx) => {
      const local = Object.entries(hosts).filter(([, host]) => isLocalHost(host)).map(([name]) => name);
      for (const name of local.slice(1)) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${quote(local[0]!)} is already the local engine (no docker or context); give ${quote(name)} docker: URL or context: NAME, or remove it` });
      }
    })
    .meta({ description: 'The Docker Engines bottles run on, by name; none: the local engine alone.' });
}

export const placementSchema = z
  .enum(PLACEMENTS)
  .meta({ description: 'How bottles are placed on hosts: spread (fewest bottles first) or pack (fill one host first).', default: DEFAULT_PLACEMENT });

/** The message for an agent's `host` that names no host of the manifest. */
export function unknownHostMessage(host: string, hostNames: readonly string[]): string {
  return hostNames.length === 0
    ? `no host ${quote(host)}: the manifest has no hosts:; add ${quote(host)} under hosts:, or remove host`
    : `no host ${quote(host)}; hosts: ${hostNames.join(', ')}`;
}
