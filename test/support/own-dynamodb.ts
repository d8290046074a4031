import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';

/**
 * A DynamoDB Local of the test file's own, for the suites that load it hardest (the storm,
 * a fault on every call of every route): after the suites before them, the run's shared one
 * served them five to ten times slower than a fresh one on the same machine. Call `start`
 * first in `beforeAll` (before any table or handler is made: they read DYNAMODB_ENDPOINT), and
 * `stop` last in `afterAll`: it gives the run's endpoint back and stops the JVM by its pid.
 */
export function ownDynamoDbLocal() {
  let own: DynamoDbLocal | undefined;
  let shared: string | undefined;
  return {
    async start() {
      own = await startDynamoDbLocal();
      shared = process.env.DYNAMODB_ENDPOINT;
      process.env.DYNAMODB_ENDPOINT = own.endpoint;
    },
    async stop() {
      process.env.DYNAMODB_ENDPOINT = shared;
      await own?.stop();
    },
  };
}
