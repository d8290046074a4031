import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';
import { startLocalKms } from '../../local/kms/local-kms.ts';
import { startLocalQueue } from '../../local/sqs/local-queue.ts';

/**
 * Starts one real DynamoDB Local for the whole run (each test file makes its own table).
 * Workers inherit DYNAMODB_ENDPOINT. Set DYNAMODB_ENDPOINT yourself to reuse a running one.
 * If Jest is killed, the watchdog in local/dynamodb/dynamodb-guard.ts stops the JVM.
 */
export default async function globalSetup(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // Metrics and the rate limit are tested where they are the subject (test/integration/observability.test.ts, …).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.RATE_LIMIT_PER_MINUTE ??= '0';
  // Template servers start each function at its first invocation (half their start); local-runtime and template-iam test EAGER.
  process.env.WARM_CONTAINERS ??= 'LAZY';
  process.env.AWS_REGION ??= 'us-east-1';
  // Every `npm run start:template` of the run with the same settings runs one synthesized template.
  if (!process.env.TEMPLATE_CACHE_DIR) {
    process.env.TEMPLATE_CACHE_DIR = await mkdtemp(join(tmpdir(), 'time-tracking-templates-'));
    (globalThis as { __templateCacheDir?: string }).__templateCacheDir = process.env.TEMPLATE_CACHE_DIR;
  }
  // The routes that queue webhook deliveries, run in process, send to a local queue that keeps what it is sent (tests that need a consumer start their own runtime).
  if (!process.env.WEBHOOK_QUEUE_URL) {
    const queue = await startLocalQueue(
      { logicalId: 'TestWebhookDeliveries', visibilityTimeoutSeconds: 60, maxReceiveCount: undefined },
      { timeScale: 1, region: process.env.AWS_REGION, log: () => {} },
    );
    (globalThis as { __webhookQueue?: { stop: () => Promise<void> } }).__webhookQueue = queue;
    const front = await queue.endpointFor('tests', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }]);
    process.env.WEBHOOK_QUEUE_URL = front.queueUrl;
    process.env.AWS_ENDPOINT_URL_SQS = front.endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  // The route that queues export jobs, run in process, sends to a local queue of its own (its client talks to the queue URL's host);
  // the route that signs download links needs only the bucket's name (a link is signed without a call).
  if (!process.env.EXPORT_QUEUE_URL) {
    const queue = await startLocalQueue({ logicalId: 'TestExportJobs', visibilityTimeoutSeconds: 60, maxReceiveCount: undefined }, { timeScale: 1, region: process.env.AWS_REGION, log: () => {} });
    (globalThis as { __exportQueue?: { stop: () => Promise<void> } }).__exportQueue = queue;
    process.env.EXPORT_QUEUE_URL = (await queue.endpointFor('tests', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }])).queueUrl;
  }
  process.env.EXPORTS_BUCKET ??= 'test-exports';
  // The functions that seal or open webhook secrets, run in process, reach a local KMS (its key in memory, for the run).
  if (!process.env.WEBHOOK_SECRETS_KEY_ARN) {
    const kms = await startLocalKms({ region: process.env.AWS_REGION, keyLogicalId: 'test-webhook-secrets' });
    (globalThis as { __kms?: { stop: () => Promise<void> } }).__kms = kms;
    process.env.WEBHOOK_SECRETS_KEY_ARN = kms.keyArn;
    process.env.AWS_ENDPOINT_URL_KMS = (await kms.endpointFor('tests', [{ effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] }])).endpoint;
  }
  if (process.env.DYNAMODB_ENDPOINT) return;
  const dynamo = await startDynamoDbLocal();
  (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal = dynamo;
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
}
