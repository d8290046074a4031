import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { createExportRepository, exportIdAt } from '../../shared/db/export-repository.ts';
import { toApiTimestamp } from '../../shared/tracking/api-time.ts';
import { queuedExportJob, type ExportJob } from '../../shared/tracking/exports.ts';
import { startLocalS3 } from '../../local/s3/local-s3.ts';
import { startLocalQueue } from '../../local/sqs/local-queue.ts';
import { batchWriteAll } from '../../shared/db/batch-write.ts';
import { reportEntryAttribute, reportEntryValue, timeEntryByIdToItem, timeEntryToItem } from '../../shared/db/item-mappers.ts';
import { keys } from '../../shared/db/keys.ts';
import type { TimeEntry } from '../../shared/tracking/model.ts';
import { createTestTable, type TestTable } from '../support/dynamo.ts';
import { testSeed, users, WS } from '../support/fixtures.ts';
import { lambdaContext } from '../support/http-events.ts';

/**
 * The export worker as Lambda runs it off its queue, against DynamoDB Local and a local S3
 * server: SQS delivers at least once, so the same job arrives twice at once, again after it
 * ended, and again after a run died. Each time there is one run, one file, and the first
 * file is never lost (docs/exports.md, "How a job runs").
 */
const BUCKET = 'export-worker-test';
/** Parts of 2,000 bytes (S3's least is 5 MiB; the local S3 server takes any): a file of a few hundred rows is many parts. */
const PART_BYTES = 2000;
let table: TestTable;
let queue: Awaited<ReturnType<typeof startLocalQueue>>;
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let s3Client: S3Client;
let handler: typeof import('../../functions/export-worker/handler.ts')['handler'];

beforeAll(async () => {
  table = await createTestTable('export-worker');
  await table.seed(testSeed);
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  s3 = await startLocalS3({ bucket: BUCKET, directory: undefined, accessKeyIds: [process.env.AWS_ACCESS_KEY_ID] });
  process.env.EXPORTS_BUCKET = BUCKET;
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  process.env.EXPORT_PART_BYTES = String(PART_BYTES);
  // The worker queues a paused job again: a queue of this file's own, whose messages the tests hand to the worker.
  queue = await startLocalQueue({ logicalId: 'ExportJobs', visibilityTimeoutSeconds: 60, maxReceiveCount: undefined }, { timeScale: 1, region: 'us-east-1', log: () => {} });
  process.env.EXPORT_QUEUE_URL = (await queue.endpointFor('export-worker', [{ effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }])).queueUrl;
  s3Client = new S3Client({ forcePathStyle: true, endpoint: s3.endpoint });
  ({ handler } = await import('../../functions/export-worker/handler.ts'));
}, 60_000);
afterAll(async () => {
  s3Client?.destroy();
  await s3?.stop();
  await queue?.stop();
  delete process.env.AWS_ENDPOINT_URL_S3;
  delete process.env.EXPORT_PART_BYTES;
  await table?.drop();
});

let made = 0;
async function queuedJob(changed: Partial<ExportJob> = {}): Promise<ExportJob> {
  const now = new Date();
  const job: ExportJob = {
    ...queuedExportJob({
      exportId: exportIdAt(now.getTime(), String(++made).padStart(24, '0')),
      workspaceId: WS,
      report: 'detailed',
      format: 'csv',
      parameters: { from: '2026-03-01', to: '2026-03-31' },
      createdAt: toApiTimestamp(now),
      createdBy: users.owner,
    }),
    ...changed,
  };
  await createExportRepository(table.client, table.tableName).create(job);
  return job;
}

const delivery = (job: ExportJob, copy: number): SQSEvent => ({
  Records: [
    {
      messageId: `m-${job.exportId}-${copy}`,
      receiptHandle: 'r',
      body: JSON.stringify({ workspaceId: job.workspaceId, exportId: job.exportId, queuedAt: job.createdAt }),
      attributes: { ApproximateReceiveCount: String(copy), SentTimestamp: '0', SenderId: 's', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ExportJobs',
      awsRegion: 'us-east-1',
    },
  ],
});
const run = (job: ExportJob, copy: number, remainingMs = 600_000) => handler(delivery(job, copy), lambdaContext({ getRemainingTimeInMillis: () => remainingMs }));
const record = async (job: ExportJob) => createExportRepository(table.client, table.tableName).get(job.workspaceId, job.exportId);
const objectsOf = async (job: ExportJob) => ((await s3Client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: job.objectKey }))).Contents ?? []).map((object) => object.Key);
const head = async (job: ExportJob) => s3Client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: job.objectKey }));

describe('the export worker under redelivery', () => {
  it('runs a job delivered twice at once one time: one claim, one end, one file', async () => {
    const job = await queuedJob();
    const answers = await Promise.all([run(job, 1), run(job, 1)]);
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(await record(job)).toMatchObject({ status: 'completed', attempts: 1, revision: 3, rowCount: 0, error: null });
    expect(await objectsOf(job)).toEqual([job.objectKey]);
  });

  it('lets one of two runs that read the same record claim it, and only the claimer end it', async () => {
    // The race the handler test above cannot force: both runs have read the queued record before either claims.
    const job = await queuedJob();
    const repository = createExportRepository(table.client, table.tableName);
    const now = Date.now();
    const claims = await Promise.all([0, 1].map(() => repository.claim(job, { startedAt: toApiTimestamp(new Date(now)), leaseUntil: now + 60_000, now })));
    const won = claims.filter((claim) => claim !== undefined);
    expect(won).toHaveLength(1);
    expect(await record(job)).toMatchObject({ status: 'running', revision: 2, attempts: 1 });
    // A run holding a stale revision cannot end it.
    await expect(repository.finish({ ...won[0]!, revision: 1 }, { status: 'failed', completedAt: toApiTimestamp(new Date()), rowCount: null, bytes: null, error: null })).rejects.toThrow(
      /no longer holds it/,
    );
    expect((await repository.finish(won[0]!, { status: 'completed', completedAt: toApiTimestamp(new Date()), rowCount: 0, bytes: 10, error: null })).status).toBe('completed');
  });

  it('drops a copy delivered after the job ended: the file is neither written again nor lost', async () => {
    const job = await queuedJob();
    await run(job, 1);
    const first = await head(job);
    const ended = await record(job);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a rewrite would carry a later Last-Modified (S3 keeps seconds)
    expect(await run(job, 2)).toEqual({ batchItemFailures: [] });
    const after = await head(job);
    expect({ etag: after.ETag, modified: after.LastModified }).toEqual({ etag: first.ETag, modified: first.LastModified });
    expect(await record(job)).toEqual(ended);
  });

  it('leaves a job a live run holds, and takes over one whose run died once its lease has passed', async () => {
    const held = await queuedJob({ status: 'running', revision: 2, attempts: 1, leaseUntil: Date.now() + 600_000, startedAt: toApiTimestamp(new Date()) });
    expect(await run(held, 2)).toEqual({ batchItemFailures: [] });
    expect(await record(held)).toMatchObject({ status: 'running', revision: 2, attempts: 1 });
    expect(await objectsOf(held)).toEqual([]);

    const died = await queuedJob({ status: 'running', revision: 2, attempts: 1, leaseUntil: Date.now() - 1, startedAt: toApiTimestamp(new Date(Date.now() - 1_000_000)) });
    expect(await run(died, 2)).toEqual({ batchItemFailures: [] });
    expect(await record(died)).toMatchObject({ status: 'completed', attempts: 2, revision: 4 });
    expect(await objectsOf(died)).toEqual([died.objectKey]);
  });
});

describe('the export worker near its time limit', () => {
  /** Entries of May 2026 for the member, stored as the entry writes store them (both copies and the report month). */
  async function seedMay(count: number) {
    const items: Record<string, unknown>[] = [];
    const month: Record<string, unknown> = { ...keys.reportMonth(WS, '2026-05', users.member), entity: 'report_month', workspace_id: WS, user_id: users.member };
    for (let index = 0; index < count; index++) {
      // Some share a start: the position of a row is its start, then its id.
      const start = new Date(Date.UTC(2026, 4, 1) + Math.floor(index / 2) * 3_600_000);
      const entry: TimeEntry = {
        entryId: randomUUID(),
        workspaceId: WS,
        userId: users.member,
        contractId: 20,
        projectId: 10,
        taskId: null,
        activityDescription: index % 7 === 0 ? `=cell ${index}` : `Row ${index}, with "quotes"`,
        startTime: toApiTimestamp(start),
        endTime: toApiTimestamp(new Date(start.getTime() + 1_800_000 + (index % 2) * 60_000)),
        durationSeconds: 1800 + (index % 2) * 60,
        source: 'manual',
        stopReason: null,
        stoppedBy: null,
        createdBy: users.owner,
        createdAt: toApiTimestamp(start),
        updatedBy: users.owner,
        updatedAt: toApiTimestamp(start),
        version: 1,
      };
      items.push(timeEntryToItem(entry), timeEntryByIdToItem(entry));
      month[reportEntryAttribute(entry.entryId)] = reportEntryValue(entry);
    }
    items.push(month);
    await batchWriteAll(
      table.client,
      table.tableName,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
  }
  const fileOf = async (job: ExportJob) => await (await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: job.objectKey }))).Body!.transformToString();

  it('pauses a CSV after a part when its time runs short, and the next runs go on from the row after it: every row once, in order', async () => {
    await seedMay(300);
    const may = { parameters: { from: '2026-05-01', to: '2026-05-31' } };
    // The same export in one run: what the file must be, byte for byte.
    const whole = await queuedJob(may);
    await run(whole, 1);
    expect(await record(whole)).toMatchObject({ status: 'completed', rowCount: 300 });
    const expected = await fileOf(whole);
    expect(Buffer.byteLength(expected)).toBeGreaterThan(20 * PART_BYTES);

    // Each invocation has less than the reserve left: it writes one part, keeps its checkpoint, queues the job again.
    const paused = await queuedJob(may);
    const invocations: string[] = [];
    queue.consume({
      batchSize: 1,
      maximumConcurrency: 1,
      reportBatchItemFailures: true,
      invoke: async (event) => {
        invocations.push(event.Records[0]!.messageId);
        return handler(event, lambdaContext({ getRemainingTimeInMillis: () => 1000 }));
      },
    });
    await run(paused, 1, 1000);
    const first = await record(paused);
    expect(first).toMatchObject({ status: 'running', leaseUntil: 0, attempts: 0, checkpoint: { parts: [{ number: 1 }] } });
    for (let waited = 0; (await record(paused))!.status === 'running' && waited < 600; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
    const ended = (await record(paused))!;
    expect(ended).toMatchObject({ status: 'completed', rowCount: 300, bytes: Buffer.byteLength(expected), checkpoint: null });
    expect(invocations.length).toBeGreaterThan(10);
    expect(await fileOf(paused)).toBe(expected);
  }, 60_000);
});
