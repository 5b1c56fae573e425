import { describe, expect, it } from 'vitest';
import { backendEnv } from '../../../daemons/git-gate/cgi-env.js';
import type { BackendSettings } from '../../../daemons/git-gate/cgi-env.js';

const SETTINGS: BackendSettings = {
  root: '/srv/git',
  repo: 'a-1.git',
  hooksDir: '/opt/bot-bottle/git-hooks',
  configPath: '/etc/bot-bottle/git-gate.json',
  maxPushBytes: 1000,
  path: '/usr/bin:/bin',
};

describe('backendEnv', () => {
  it('is the whole environment: CGI variables, the gate settings as command-scope config, nothing else', () => {
    const env = backendEnv(SETTINGS, {
      method: 'POST',
      route: { kind: 'rpc', service: 'git-receive-pack' },
      headers: { 'content-type': 'application/x-git-receive-pack-request', 'content-length': '123', 'content-encoding': 'gzip', 'git-protocol': 'version=2' },
      remoteAddress: '10.0.0.2',
    });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/srv/git',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_PROJECT_ROOT: '/srv/git',
      GIT_HTTP_EXPORT_ALL: '1',
      BOTTLE_GATE_CONFIG: '/etc/bot-bottle/git-gate.json',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: 'POST',
      PATH_INFO: '/a-1.git/git-receive-pack',
      QUERY_STRING: '',
      REMOTE_ADDR: '10.0.0.2',
      CONTENT_TYPE: 'application/x-git-receive-pack-request',
      CONTENT_LENGTH: '123',
      HTTP_CONTENT_ENCODING: 'gzip',
      GIT_PROTOCOL: 'version=2',
      HTTP_GIT_PROTOCOL: 'version=2',
      GIT_CONFIG_COUNT: '9',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
      GIT_CONFIG_KEY_1: 'core.hooksPath',
      GIT_CONFIG_VALUE_1: '/opt/bot-bottle/git-hooks',
      GIT_CONFIG_KEY_2: 'receive.denyDeletes',
      GIT_CONFIG_VALUE_2: 'true',
      GIT_CONFIG_KEY_3: 'receive.denyNonFastForwards',
      GIT_CONFIG_VALUE_3: 'true',
      GIT_CONFIG_KEY_4: 'receive.maxInputSize',
      GIT_CONFIG_VALUE_4: '1000',
      GIT_CONFIG_KEY_5: 'pack.threads',
      GIT_CONFIG_VALUE_5: '1',
      GIT_CONFIG_KEY_6: 'uploadpack.allowFilter',
      GIT_CONFIG_VALUE_6: 'true',
      GIT_CONFIG_KEY_7: 'safe.directory',
      GIT_CONFIG_VALUE_7: '/srv/git/a-1.git',
      GIT_CONFIG_KEY_8: 'safe.directory',
      GIT_CONFIG_VALUE_8: '.',
    });
  });

  it('gives the advertisement its query, and leaves out what the request did not say or said oddly', () => {
    const env = backendEnv(SETTINGS, {
      method: 'GET',
      route: { kind: 'advertise', service: 'git-upload-pack' },
      headers: { 'content-length': 'lots', 'content-encoding': 'br', 'git-protocol': 'version=2\nX=1' },
    });
    expect(env).toMatchObject({ PATH_INFO: '/a-1.git/info/refs', QUERY_STRING: 'service=git-upload-pack', REMOTE_ADDR: '' });
    for (const name of ['CONTENT_TYPE', 'CONTENT_LENGTH', 'HTTP_CONTENT_ENCODING', 'GIT_PROTOCOL']) expect(env).not.toHaveProperty(name);
  });
});
