import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local.ts';

/**
 * Starts one real DynamoDB Local for the whole run (each test file makes its own table).
 * Workers inherit DYNAMODB_ENDPOINT. Set DYNAMODB_ENDPOINT yourself to reuse a running one.
 * If Jest is killed, the watchdog in local/dynamodb-guard.ts stops the JVM.
 */
export default async function globalSetup(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // Metrics and the rate limit are tested where they are the subject (test/integration/observability.test.ts, …).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.RATE_LIMIT_PER_MINUTE ??= '0';
  process.env.AWS_REGION ??= 'us-east-1';
  // Every `npm run start:template` of the run with the same settings runs one synthesized template.
  if (!process.env.TEMPLATE_CACHE_DIR) {
    process.env.TEMPLATE_CACHE_DIR = await mkdtemp(join(tmpdir(), 'time-tracking-templates-'));
    (globalThis as { __templateCacheDir?: string }).__templateCacheDir = process.env.TEMPLATE_CACHE_DIR;
  }
  if (process.env.DYNAMODB_ENDPOINT) return;
  const dynamo = await startDynamoDbLocal();
  (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal = dynamo;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
}
