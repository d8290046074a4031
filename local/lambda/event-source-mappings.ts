import type { DynamoDBBatchResponse, DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { matchesStreamFilter } from '../../shared/contracts/webhook-events.ts';
import { lambdaContext, type LambdaFunction } from '../api-gateway/http-api-emulator.ts';
import { startStreamReader, type StreamRecord } from '../dynamodb/stream-reader.ts';
import type { startLocalQueue } from '../sqs/local-queue.ts';

/**
 * Lambda's event source mappings on this machine, for both local runtimes: the table's stream
 * to its functions (the webhook fan-out, the auto-stop schedules) and each queue to its
 * consumer (the webhook delivery), as Lambda runs them: filter patterns, batch sizes, partial
 * batch responses and retries; each invocation ends at the function's timeout. `npm start`
 * declares its mappings from the settings the stack is built with; template mode reads them
 * from the synthesized template.
 */
type LocalQueue = Awaited<ReturnType<typeof startLocalQueue>>;

/** What invokes a function besides API Gateway: the table's stream or a queue. */
export type EventSourceMapping = {
  functionLogicalId: string;
  source: { kind: 'stream' } | { kind: 'queue'; queueLogicalId: string };
  batchSize: number;
  /** The event source's filter patterns (parsed), applied before the function is invoked. */
  filterPatterns: object[];
  reportBatchItemFailures: boolean;
  /** The queue source's maximum concurrency (invocations at once). */
  maximumConcurrency: number | undefined;
  /** A stream source's retries of a failed batch before its records are given up (to its failure destination). */
  retryAttempts: number | undefined;
};

/** Lambda's default for a stream source that sets no MaximumRetryAttempts is -1 (until the records expire); here it is bounded. */
const DEFAULT_STREAM_RETRY_ATTEMPTS = 10;

export async function startEventSourceMappings(options: {
  eventSources: readonly EventSourceMapping[];
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
  async function invokeWithRetries(source: EventSourceMapping, batch: DynamoDBRecord[]) {
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
      if (attempt >= (source.retryAttempts ?? DEFAULT_STREAM_RETRY_ATTEMPTS)) {
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
