import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Fault injection and counting around a *real* client (docs/testing.md): the middlewares sit
 * inside the SDK's retry loop, so every HTTP attempt to DynamoDB Local passes through them.
 */
type Injected = { remove: () => void };

export function countRoundTrips(client: DynamoDBDocumentClient) {
  const calls: string[] = [];
  const name = `count-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'deserialize', priority: 'high', name },
  );
  return { calls, remove: () => client.middlewareStack.remove(name) };
}

/**
 * Makes matching attempts fail with `error`. With `afterSend`, the request really reaches
 * DynamoDB and only its answer is lost (a dropped connection), as in a retried write.
 */
export function injectFault(
  client: DynamoDBDocumentClient,
  options: { command: string | RegExp; error: () => Error; times?: number; afterSend?: boolean; skip?: number },
): Injected & { hits: () => number } {
  let hits = 0;
  let skipped = 0;
  const name = `fault-${Math.random()}`;
  const matches = (command: string) => (typeof options.command === 'string' ? command === options.command : options.command.test(command));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (!matches(command) || hits >= (options.times ?? Infinity)) return next(args);
      if (skipped < (options.skip ?? 0)) {
        skipped++;
        return next(args);
      }
      hits++;
      if (options.afterSend) await next(args);
      throw options.error();
    },
    { step: 'deserialize', priority: 'high', name },
  );
  return { hits: () => hits, remove: () => client.middlewareStack.remove(name) };
}

/**
 * Holds the first call of one command until the test releases it: a barrier, so that a
 * test can act while a request is surely inside that call (no sleep that a slow machine
 * could outlast). `reached` resolves when the call arrives.
 */
export function holdCall(client: DynamoDBDocumentClient, command: string) {
  let arrived!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  const name = `hold-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (String(context.commandName) === command && !held) {
        held = true;
        arrived();
        await released;
      }
      return next(args);
    },
    { step: 'deserialize', priority: 'high', name },
  );
  return { reached, release, remove: () => client.middlewareStack.remove(name) };
}

export const faults = {
  throttled: () =>
    Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    }),
  /** A connection reset after the request was sent: the SDK treats it as transient and retries. */
  connectionReset: () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET', $metadata: {} }),
  timeout: () => Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError', $metadata: {} }),
  serviceError: () => Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
  /** Another transaction touched the same items: retryable, so 503. */
  transactionConflict: () =>
    new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }],
    }),
  /** Not a DynamoDB failure: a bug. Its text must never reach a client. */
  bug: () => new TypeError('Cannot read properties of undefined (reading "pk") in table secret-table-name'),
};
