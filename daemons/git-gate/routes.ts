/**
 * What the gate serves: `GET /health`, and git's smart HTTP protocol for its
 * one repo: `GET /<repo>/info/refs?service=<service>` and `POST
 * /<repo>/<service>`, for the two services. Paths are compared as sent, byte
 * for byte: no decoding, no `..`, no other repo, no dumb-HTTP file paths
 * (`HEAD`, `objects/...`). It does not answer anything.
 */

export type GitService = 'git-upload-pack' | 'git-receive-pack';

export const GIT_SERVICES: readonly GitService[] = ['git-upload-pack', 'git-receive-pack'];

export type Route =
  | { readonly kind: 'health' }
  /** The ref advertisement that starts a fetch or push. */
  | { readonly kind: 'advertise'; readonly service: GitService }
  /** The exchange itself: the request body goes to the service, its answer back. */
  | { readonly kind: 'rpc'; readonly service: GitService }
  | { readonly kind: 'not-served' };

export function routeOf(method: string, url: string, repo: string): Route {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  const search = query === -1 ? '' : url.slice(query + 1);
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) return { kind: 'health' };
  if (method === 'GET' && path === `/${repo}/info/refs`) {
    const service = GIT_SERVICES.find((name) => search === `service=${name}`);
    if (service) return { kind: 'advertise', service };
  }
  if (method === 'POST' && search === '') {
    const service = GIT_SERVICES.find((name) => path === `/${repo}/${name}`);
    if (service) return { kind: 'rpc', service };
  }
  return { kind: 'not-served' };
}

/** The CGI PATH_INFO and QUERY_STRING of a git route. */
export function cgiPathOf(route: Extract<Route, { service: GitService }>, repo: string): { pathInfo: string; query: string } {
  return route.kind === 'advertise'
    ? { pathInfo: `/${repo}/info/refs`, query: `service=${route.service}` }
    : { pathInfo: `/${repo}/${route.service}`, query: '' };
}

/** What a 404 says is served. */
export function servedPaths(repo: string): string {
  return [
    'GET /health',
    ...GIT_SERVICES.map((service) => `GET /${repo}/info/refs?service=${service}`),
    ...GIT_SERVICES.map((service) => `POST /${repo}/${service}`),
  ].join(', ');
}
