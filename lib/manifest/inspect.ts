/**
 * The parts of `egress` that open requests up: an allow entry written as an
 * object (`{ host, inspect, methods, paths }`: the proxy terminates TLS for
 * that host and applies the request rules) and `credentials` (a header the
 * proxy sets on requests to a host, its value read on the host at `up` from
 * the environment or a file, so the agent never holds it). It checks shapes
 * and names; that a credential's host is inspected, and reading its value,
 * are egress.ts's and the plan's preflight's.
 */
import * as z from 'zod';
import { quote } from './describe.js';
import { hostPathProblem } from './system-strings.js';

export const HTTP_METHOD = /^[A-Z]{1,20}$/;

const methodSchema = z
  .string()
  .transform((m) => m.toUpperCase())
  .refine((m) => HTTP_METHOD.test(m), { message: 'expected an HTTP method such as GET or POST (letters only)' });

const pathPatternSchema = z.string().superRefine((p, ctx) => {
  if (!p.startsWith('/') || p.length > 200 || /[\s?#]/.test(p)) {
    ctx.addIssue({ code: 'custom', message: `expected a path pattern that starts with "/", without spaces, "?" or "#" ("*" matches any run of characters), got ${quote(p)}` });
  }
});

export const ruleFieldsSchema = {
  inspect: z.boolean().optional().meta({ description: 'Terminate TLS for this host at the proxy (a certificate from the bottle CA), so credentials and request rules apply.' }),
  methods: z.array(methodSchema).min(1).max(20).optional().meta({ description: 'HTTP methods allowed to an inspected host; all by default.' }),
  paths: z
    .strictObject({
      allow: z.array(pathPatternSchema).max(100).optional().meta({ description: 'Request paths allowed ("*" matches anything, "/" included); all by default.' }),
      deny: z.array(pathPatternSchema).max(100).optional().meta({ description: 'Request paths refused, even when allowed.' }),
    })
    .optional()
    .meta({ description: 'Path rules for an inspected host.' }),
};

/** Header names the proxy owns or HTTP frames with: never set from a credential. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'keep-alive', 'proxy-authorization', 'proxy-connection']);

const headerSchema = z.string().superRefine((h, ctx) => {
  if (!/^[A-Za-z0-9-]{1,100}$/.test(h)) ctx.addIssue({ code: 'custom', message: `expected a header name (letters, digits and "-"), got ${quote(h)}` });
  else if (RESERVED_HEADERS.has(h.toLowerCase())) ctx.addIssue({ code: 'custom', message: `${quote(h)} is a header the proxy sets itself; use the header the API reads the key from, e.g. "x-api-key" or "authorization"` });
});

export type SecretSource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

export const sourceSchema = z.string().transform((from, ctx): SecretSource => {
  const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(from);
  if (env) return { kind: 'env', name: env[1]! };
  const file = /^file:(.+)$/.exec(from);
  const pathProblem = file ? hostPathProblem(file[1]!) : undefined;
  if (file && pathProblem === undefined) return { kind: 'file', path: file[1]! };
  ctx.addIssue({
    code: 'custom',
    message: pathProblem
      ? `the file of "file:PATH": ${pathProblem}`
      : `expected "env:NAME" (a variable of bottle's environment at up) or "file:PATH" (a file on the host), got ${quote(from)}`,
  });
  return z.NEVER;
});

export const credentialSchema = z
  .strictObject({
    host: z.string().min(1).max(253).meta({ description: 'A host of egress.allow; the proxy inspects it.' }),
    header: headerSchema.optional().meta({ description: 'The request header the proxy sets, e.g. "x-api-key"; "authorization" with bearer.' }),
    bearer: z.boolean().optional().meta({ description: 'Send it as "Authorization: Bearer <value>".' }),
    from: sourceSchema.meta({ description: 'Where the value is read on the host at up: "env:NAME" or "file:PATH".' }),
    placeholderEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' })
      .optional()
      .meta({ description: 'A variable the agent gets set to "bottle-placeholder", for a tool that insists on having a key (e.g. ANTHROPIC_API_KEY).' }),
  })
  .superRefine((c, ctx) => {
    if (!c.header && !c.bearer) ctx.addIssue({ code: 'custom', message: 'say which header carries the value ("header": "x-api-key"), or "bearer": true for "Authorization: Bearer"', path: ['header'] });
    if (c.header && c.bearer && c.header.toLowerCase() !== 'authorization') ctx.addIssue({ code: 'custom', message: 'bearer sends "Authorization: Bearer <value>"; leave header out, or set it to "authorization"', path: ['header'] });
  });

export type CredentialInput = z.infer<typeof credentialSchema>;
