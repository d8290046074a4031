import { createServer } from 'node:http';

/** A webhook receiver on loopback that answers 204 and keeps each delivery's `webhook-id`. Close it in every path. */
export async function startWebhookReceiver() {
  const received: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => (received.push(String(request.headers['webhook-id'])), response.writeHead(204).end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
