/** `GET https://127.0.0.1:<port><path>` trusting only `ca` (or the default store when omitted). */
import { get } from 'node:https';

export interface HttpsResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

export function httpsGet(port: number, path: string, ca?: Buffer): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
  });
}
