import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './listen.ts';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
const server = () => {
  const s = net.createServer();
  servers.push(s);
  return s;
};

describe('listen', () => {
  it('resolves with the port it bound, a free one for port 0', async () => {
    const port = await listen(server(), 0, '127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    client.destroy();
  });

  it('rejects with the bind error and leaves no error listener behind', async () => {
    const port = await listen(server(), 0, '127.0.0.1');
    const second = server();
    await expect(listen(second, port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(second.listenerCount('error')).toBe(0);
  });
});
