import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DatabaseConfig } from '../config/database-config.ts';

/**
 * Time budget of one DynamoDB call: connect ≤ 1 s, answer ≤ 2 s, 3 attempts with the SDK's
 * jittered backoff. A request makes at most 2–3 calls, so a handler answers well inside the
 * Lambda timeout (10 s) and API Gateway's 29 s; middy's early-timeout answers 503 if not.
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
    },
    // DynamoDB Local accepts any credentials; without these the SDK would probe the
    // instance metadata service for seconds on a developer's machine.
    ...(config.endpoint && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
