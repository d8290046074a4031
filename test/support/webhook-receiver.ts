import { createServer } from 'node:http';

/** A webhook receiver on loopback that answers 204 and keeps each delivery's `webhook-id` (and body). Close it in every path. */
export async function startWebhookReceiver() {
  const received: string[] = [];
  const deliveries: Array<{ id: string; body: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(String(request.headers['webhook-id']));
      deliveries.push({ id: String(request.headers['webhook-id']), body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    deliveries,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
