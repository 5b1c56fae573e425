/**
 * Module hooks for bench/startup: print each module a process loads (except
 * node: builtins) to stderr, one `LOAD <url>` line each. Registered by
 * load-register.ts through `node --import`.
 */
export async function resolve(
  specifier: string,
  context: unknown,
  next: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  if (!resolved.url.startsWith('node:')) process.stderr.write(`LOAD ${resolved.url}\n`);
  return resolved;
}
