/**
 * The whole environment `git http-backend` runs with for one request, built
 * from nothing (the daemon's own environment is not passed on): the CGI
 * variables of the request, the repo root, a harmless HOME, no system or
 * global git config, the gate's git settings as command-scope config
 * (GIT_CONFIG_COUNT/KEY_n/VALUE_n, which git passes on to receive-pack and
 * the hook), and BOTTLE_GATE_CONFIG for the hook. It does not run anything.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { CONFIG_ENV } from './config.js';
import type { GitService, Route } from './routes.js';
import { cgiPathOf } from './routes.js';

export interface BackendSettings {
  /** GIT_PROJECT_ROOT, and HOME: nothing there is a git config. */
  readonly root: string;
  readonly repo: string;
  readonly hooksDir: string;
  /** The config file the hook reads. */
  readonly configPath: string;
  readonly maxPushBytes: number;
  /** Where git and the hook's node are found. */
  readonly path: string;
}

export interface CgiRequest {
  readonly method: string;
  readonly route: Extract<Route, { service: GitService }>;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress?: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The settings git runs under for the gate, whatever the repo's own config says. */
export function gateGitConfig(settings: BackendSettings): readonly (readonly [string, string])[] {
  return [
    ['http.receivepack', 'true'],
    ['core.hooksPath', settings.hooksDir],
    ['receive.denyDeletes', 'true'],
    ['receive.denyNonFastForwards', 'true'],
    ['receive.maxInputSize', String(settings.maxPushBytes)],
    ['pack.threads', '1'],
    ['uploadpack.allowFilter', 'true'],
    // The bundle may run as another user than the one that made the repo. http-backend checks the
    // repo's full path, then runs upload-pack/receive-pack inside it on ".", checked again.
    ['safe.directory', join(settings.root, settings.repo)],
    ['safe.directory', '.'],
  ];
}

export function backendEnv(settings: BackendSettings, request: CgiRequest): Record<string, string> {
  const { pathInfo, query } = cgiPathOf(request.route, settings.repo);
  const { headers } = request;
  const config = gateGitConfig(settings);
  const env: Record<string, string> = {
    PATH: settings.path,
    HOME: settings.root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: settings.root,
    GIT_HTTP_EXPORT_ALL: '1',
    [CONFIG_ENV]: settings.configPath,
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: request.method,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: request.remoteAddress ?? '',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  const type = headers['content-type'];
  if (type) env['CONTENT_TYPE'] = type;
  const length = headers['content-length'];
  if (length !== undefined && /^\d+$/.test(length)) env['CONTENT_LENGTH'] = length;
  // git's client gzips request bodies; http-backend inflates them itself.
  const encoding = headers['content-encoding']?.trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') env['HTTP_CONTENT_ENCODING'] = encoding;
  const protocol = headers['git-protocol'];
  if (typeof protocol === 'string' && /^[\x21-\x7e]{1,256}$/.test(protocol)) {
    env['GIT_PROTOCOL'] = protocol;
    env['HTTP_GIT_PROTOCOL'] = protocol;
  }
  return env;
}
