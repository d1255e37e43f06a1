import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeConnections, send } from './client.ts';

describe('send', () => {
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    // Answers with the client's source port: one port per connection.
    server = http.createServer((req, res) => res.end(String(req.socket.remotePort)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await closeConnections();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const sourcePorts = async (freshConnection: boolean) => {
    const ports: string[] = [];
    for (let i = 0; i < 6; i++) ports.push((await send({ address: '127.0.0.1', port, path: '/', freshConnection })).text);
    return new Set(ports).size;
  };

  it('reuses pooled keep-alive connections by default', async () => {
    // The pool may open a second socket while the first is being released, never one per request.
    expect(await sourcePorts(false)).toBeLessThanOrEqual(2);
  });

  it('opens a new connection for each request with freshConnection', async () => {
    expect(await sourcePorts(true)).toBe(6);
  });
});
