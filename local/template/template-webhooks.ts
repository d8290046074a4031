import type { DynamoDBBatchResponse, DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { matchesStreamFilter } from '../../shared/contracts/webhook-events.ts';
import { lambdaContext, type LambdaFunction } from '../http-api-emulator.ts';
import { startStreamReader, type StreamRecord } from '../webhooks/stream-reader.ts';
import type { startLocalQueue } from './local-queue.ts';
import type { TemplateEventSource } from './template-model.ts';

/**
 * The template's event source mappings for `npm run start:template`: the table's stream to
 * its function (the webhook fan-out) and each queue to its consumer (the webhook delivery),
 * as Lambda runs them: the template's filter patterns, batch sizes, partial batch responses
 * and retries; each invocation ends at the function's timeout.
 */
type LocalQueue = Awaited<ReturnType<typeof startLocalQueue>>;

/** Retries of a failed stream batch before its records are given up (the template's failure destination), as `retryAttempts` does. */
const STREAM_RETRY_ATTEMPTS = 10;

export async function startTemplateEventSources(options: {
  eventSources: readonly TemplateEventSource[];
  functions: Readonly<Record<string, LambdaFunction>>;
  timeoutsMs: Readonly<Record<string, number>>;
  queues: ReadonlyMap<string, LocalQueue>;
  endpoint: string;
  region: string;
  tableName: string;
  timeScale: number;
  log: (line: string) => void;
}) {
  const invoke = async (functionLogicalId: string, event: unknown) => {
    const timeoutMs = options.timeoutsMs[functionLogicalId] ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)), timeoutMs)));
    try {
      return await Promise.race([options.functions[functionLogicalId]!(event, lambdaContext(functionLogicalId, Date.now() + timeoutMs)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const stops: Array<() => Promise<void>> = [];
  for (const source of options.eventSources) {
    if (source.source.kind === 'queue') {
      const queue = options.queues.get(source.source.queueLogicalId);
      if (!queue) throw new Error(`no local queue for ${source.source.queueLogicalId}`);
      queue.consume({
        batchSize: source.batchSize,
        maximumConcurrency: source.maximumConcurrency ?? 5,
        reportBatchItemFailures: source.reportBatchItemFailures,
        invoke: (event: SQSEvent) => invoke(source.functionLogicalId, event),
      });
      continue;
    }
    const reader = await startStreamReader({
      endpoint: options.endpoint,
      region: options.region,
      tableName: options.tableName,
      log: options.log,
      onRecords: async (page) => {
        const records = page
          .filter((record) => source.filterPatterns.length === 0 || source.filterPatterns.some((pattern) => matchesStreamFilter([pattern], record)))
          .map((record) => asLambdaRecord(record, reader.streamArn, options.region));
        for (let start = 0; start < records.length; start += source.batchSize) {
          await invokeWithRetries(source, records.slice(start, start + source.batchSize));
        }
      },
    });
    stops.push(reader.stop);
  }

  /** One stream batch: on a reported failure, again from the first failed record, then given up and logged. */
  async function invokeWithRetries(source: TemplateEventSource, batch: DynamoDBRecord[]) {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      let firstFailed: number;
      try {
        const result = (await invoke(source.functionLogicalId, { Records: pending })) as DynamoDBBatchResponse | undefined;
        const failed = new Set((source.reportBatchItemFailures ? (result?.batchItemFailures ?? []) : []).map((failure) => failure.itemIdentifier));
        firstFailed = pending.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      } catch (error) {
        options.log(`stream → ${source.functionLogicalId}: ${(error as Error).message}`);
        firstFailed = 0;
      }
      if (firstFailed < 0) return;
      pending = pending.slice(firstFailed);
      if (attempt >= STREAM_RETRY_ATTEMPTS) {
        options.log(`stream → ${source.functionLogicalId}: ${pending.length} records given up after ${attempt + 1} attempts (the failure destination keeps pointers to them)`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 30_000) * options.timeScale));
    }
  }

  return {
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}

/** A DynamoDB Streams record as Lambda hands it to a function (epoch seconds, the stream's ARN). */
function asLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as object),
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : (created as number | undefined),
    } as DynamoDBRecord['dynamodb'],
  };
}
