import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DatabaseConfig } from '../config/database-config.ts';

/**
 * Time budget of one DynamoDB call (docs/failure-semantics.md): connect ≤ 1 s, answer
 * ≤ 2 s per attempt, 3 attempts with the SDK's jittered backoff: about 6.5 s at worst, then
 * the request answers 503. The answer timeout only aborts the attempt with
 * `throwOnRequestTimeout` (@smithy/node-http-handler 4.x merely logs a warning without it).
 * A request makes 2–3 calls, and middy's early timeout answers 503 before the Lambda
 * timeout (10 s) in the worst case.
 */
export const DYNAMODB_CALL_BUDGET = { connectionTimeoutMs: 1000, requestTimeoutMs: 2000, maxAttempts: 3 } as const;

export function createDocumentClient(config: DatabaseConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoint,
    maxAttempts: DYNAMODB_CALL_BUDGET.maxAttempts,
    requestHandler: {
      connectionTimeout: DYNAMODB_CALL_BUDGET.connectionTimeoutMs,
      requestTimeout: DYNAMODB_CALL_BUDGET.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    // DynamoDB Local accepts any credentials; without these the SDK would probe the
    // instance metadata service for seconds on a developer's machine.
    ...(config.endpoint && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
