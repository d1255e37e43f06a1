// One GET over HTTPS with a bounded wait, the body read whole: for readiness
// checks and raw reads of an API server.
import https from 'node:https';

export interface HttpsAnswer {
  status: number;
  body: string;
}

export function httpsGet(url: string, options: https.RequestOptions, timeoutMs = 3000): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ...options, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${new URL(url).pathname}: no answer within ${timeoutMs / 1000} s`)));
    request.on('error', reject);
  });
}
