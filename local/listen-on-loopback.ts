import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Listens on a free port of 127.0.0.1 and keeps the server's sockets, so that closing it ends
 * its keep-alive connections too (server.close alone waits for them): what every local
 * endpoint of the runtimes needs to stop at once.
 */
export async function listenOnLoopback(server: Server): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
