import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A small HTTP proxy in front of DynamoDB Local that injects faults per DynamoDB operation
 * (read from the X-Amz-Target header), so that the real SDK, its retries and its timeouts
 * are exercised end to end (docs/failure-semantics.md):
 * - `throttle`: DynamoDB's ThrottlingException answer, nothing forwarded;
 * - `lose-answer`: forwarded and applied, then the connection is reset before the answer;
 * - `reset`: the connection is reset before anything is forwarded (DynamoDB unreachable);
 * - `hang`: never answered (until the proxy closes);
 * - `delay`: forwarded after `delayMs`.
 */
export type Fault = 'throttle' | 'lose-answer' | 'reset' | 'hang' | 'delay';
type Rule = { operation: string; fault: Fault; times: number; delayMs: number; hits: number; passes: number };

export async function startFaultProxy(target: string) {
  const upstream = new URL(target);
  let rules: Rule[] = [];
  const calls: string[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => void handle(request, response, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
    const [service, operation = ''] = String(request.headers['x-amz-target'] ?? '').split('.');
    // The table's operations only: the webhooks' stream reader (DynamoDBStreams_…) polls alongside.
    if (service === 'DynamoDB_20120810') calls.push(operation);
    let rule: Rule | undefined;
    for (const candidate of rules) {
      if ((candidate.operation !== '*' && candidate.operation !== operation) || candidate.hits >= candidate.times) continue;
      // A rule that lets its first calls pass counts them down instead of faulting them.
      if (candidate.passes > 0) candidate.passes--;
      else rule ??= candidate;
    }
    if (rule) rule.hits++;
    switch (rule?.fault) {
      case 'throttle':
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'proxy' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }));
        return;
      case 'reset':
        request.socket.resetAndDestroy();
        return;
      case 'hang':
        return;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
        if (request.socket.destroyed) return; // the client gave up: nothing is forwarded
        break;
    }
    const upstreamAnswer = await forward(request, body);
    if (rule?.fault === 'lose-answer') {
      request.socket.resetAndDestroy();
      return;
    }
    if (request.socket.destroyed) return;
    response.writeHead(upstreamAnswer.status, upstreamAnswer.headers);
    response.end(upstreamAnswer.body);
  }

  function forward(request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) }));
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Injects `fault` into the next `times` calls of `operation` ('*': every operation), after letting `after` of them pass. */
    inject(operation: string, fault: Fault, options: { times?: number; delayMs?: number; after?: number } = {}) {
      rules.push({ operation, fault, times: options.times ?? Number.POSITIVE_INFINITY, delayMs: options.delayMs ?? 0, hits: 0, passes: options.after ?? 0 });
    },
    /** Removes every fault; hanging connections are reset. */
    heal() {
      rules = [];
    },
    calls: () => [...calls],
    clearCalls: () => {
      calls.length = 0;
    },
    close: async () => {
      rules = [];
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>;
