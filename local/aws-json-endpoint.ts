import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.ts';

/**
 * One local endpoint of an AWS service that speaks the JSON protocol (`X-Amz-Target:
 * <Service>.<Operation>`, a JSON body), as the SDK sends it: the local SQS queue and KMS
 * serve one per principal, each with that principal's permissions. `answer` gets the
 * operation (the target without its service prefix) and the parsed body (undefined when it
 * is not JSON); its sockets are closed with it.
 */
export async function startAwsJsonEndpoint(options: {
  targetPrefix: string;
  contentType: string;
  answer: (operation: string, body: Record<string, any> | undefined) => { status: number; body: unknown };
}): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(options.targetPrefix, '');
      let parsed: Record<string, any> | undefined;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const { status, body } = options.answer(operation, parsed);
      response.writeHead(status, { 'content-type': options.contentType, 'x-amzn-requestid': randomUUID() });
      response.end(JSON.stringify(body));
    });
  });
  const { endpoint, close } = await listenOnLoopback(server);
  return { endpoint, stop: close };
}
