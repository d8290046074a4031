/**
 * One export job run by the worker's own handler in a process of its own, as one Lambda
 * invocation would run it (bench/export-costs.ts starts it once per size): it writes the job's
 * record, hands the handler the queue's message, then prints what it cost, its peak RSS
 * included, as one JSON line. Its environment names the table, DynamoDB, the bucket and S3.
 */
import { randomBytes } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { createDocumentClient } from '../shared/db/document-client.ts';
import { createExportRepository, exportIdAt } from '../shared/db/export-repository.ts';
import { toApiTimestamp } from '../shared/tracking/api-time.ts';
import { queuedExportJob, type ExportJob } from '../shared/tracking/exports.ts';
import { startLocalQueue } from '../local/sqs/local-queue.ts';
import { lambdaContext } from './lambda-events.ts';

const [workspaceId, owner, report, format, from, to] = process.argv.slice(2);
const tableName = process.env.TABLE_NAME!;
const client = createDocumentClient({ tableName, region: 'us-east-1', endpoint: process.env.DYNAMODB_ENDPOINT! });
const exports = createExportRepository(client, tableName);
const now = new Date();
const job = queuedExportJob({
  exportId: exportIdAt(now.getTime(), randomBytes(12).toString('hex')),
  workspaceId: Number(workspaceId),
  report: report as ExportJob['report'],
  format: format as ExportJob['format'],
  parameters: { from: from!, to: to!, tz: 'UTC' },
  createdAt: toApiTimestamp(now),
  createdBy: Number(owner),
});
const { exportId } = job;
await exports.create(job);
// The job's queue, as its event source mapping runs it: a run that pauses at a checkpoint queues the job again, and the next invocation goes on.
const queue = await startLocalQueue({ logicalId: 'ExportJobs', visibilityTimeoutSeconds: 1800, maxReceiveCount: 3 }, { timeScale: 1, region: 'us-east-1', log: () => {} });
process.env.EXPORT_QUEUE_URL = (await queue.endpointFor('bench', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }])).queueUrl;
const { handler } = await import('../functions/export-worker/handler.ts');
/** An invocation as Lambda gives it: the worker's 15 minutes from its start (BENCH_EXPORT_BUDGET_MS: fewer, to see a run pause). */
const budgetMs = Number(process.env.BENCH_EXPORT_BUDGET_MS ?? 900_000);
let invocations = 0;
const invoke = (event: SQSEvent) => {
  invocations++;
  const deadline = Date.now() + budgetMs;
  return handler(event, { ...lambdaContext(), getRemainingTimeInMillis: () => deadline - Date.now() } as never);
};
queue.consume({ batchSize: 1, maximumConcurrency: 1, reportBatchItemFailures: true, invoke });
const began = performance.now();
const first = {
  Records: [{ messageId: 'bench', receiptHandle: 'r', body: JSON.stringify({ workspaceId: job.workspaceId, exportId, queuedAt: job.createdAt }), attributes: {}, messageAttributes: {} }],
} as unknown as SQSEvent;
const answer = await invoke(first);
let ended = await exports.get(job.workspaceId, exportId);
while (ended?.status === 'running') {
  await new Promise((resolve) => setTimeout(resolve, 200));
  ended = await exports.get(job.workspaceId, exportId);
}
const ms = performance.now() - began;
await queue.stop();
console.log(
  JSON.stringify({
    ms,
    status: ended?.status,
    error: ended?.error,
    row_count: ended?.rowCount,
    bytes: ended?.bytes,
    object_key: job.objectKey,
    failures: answer.batchItemFailures.length,
    invocations,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
client.destroy();
process.exit(0);
