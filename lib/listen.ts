// Binding a server: resolves with the port it got (port 0 picks a free one),
// rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL) instead of leaving
// it to an 'error' event nobody listens to.
import type { AddressInfo, Server } from 'node:net';

export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
