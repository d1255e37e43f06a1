import WebSocket from 'ws';
import { scenario } from '../../harness/scenario/define.ts';
import type { Probe } from '../../lib/wait.ts';

const HOST = 'websocket.example';
const FRAMES = ['hello', 'a second frame', 'x'.repeat(10_000)];

/** Opens a WebSocket through the ingress, sends FRAMES one by one, and says which pod answered and whether every frame came back. */
function echoFrames(address: string, timeoutMs: number): Promise<Probe<string>> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${address}:80/chat?room=1`, { headers: { host: HOST }, handshakeTimeout: timeoutMs });
    let pod: string | undefined;
    let sent = 0;
    const finish = (ok: boolean, observed: string) => {
      clearTimeout(timer);
      ws.terminate();
      resolve({ ok, value: pod, observed });
    };
    const timer = setTimeout(() => finish(false, `${sent} of ${FRAMES.length} frames sent, no complete echo within ${timeoutMs} ms`), timeoutMs);
    ws.on('upgrade', (response) => {
      pod = String(response.headers['x-vipcheck-pod'] ?? '');
    });
    ws.on('unexpected-response', (_request, response) => finish(false, `upgrade refused: HTTP ${response.statusCode}`));
    ws.on('error', (error) => finish(false, `WebSocket error: ${error.message}`));
    ws.on('open', () => ws.send(FRAMES[sent++]));
    ws.on('message', (data) => {
      const got = data.toString();
      if (got !== FRAMES[sent - 1]) return finish(false, `frame ${sent} came back as ${JSON.stringify(got.slice(0, 60))}`);
      if (sent < FRAMES.length) ws.send(FRAMES[sent++]);
      else finish(!!pod?.startsWith('app-'), `all ${FRAMES.length} frames echoed by pod ${JSON.stringify(pod)} (want a pod of app)`);
    });
  });
}

scenario({
  id: 'ingress-websocket',
  suite: 'ingress',
  feature: 'ingress-websocket',
  description: 'an HTTP Upgrade to WebSocket passes through the ingress and the backend echoes frames',
  fixtures: ['ingress/websocket.yaml'],
  async run(ctx) {
    await ctx.echoBackend('app');
    await ctx.expectHttp('the host is routed', [{ request: { address: ctx.ingressAddress(), host: HOST, path: '/' }, expect: { backend: 'app' } }]);
    await ctx.eventually('WebSocket frames echoed through the ingress', () => echoFrames(ctx.ingressAddress(), 5_000));
  },
});
