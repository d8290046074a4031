import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';

/**
 * Reads DynamoDB Local's stream of the table for the local runtimes, as Lambda's event
 * source mapping reads the deployed one: shards open at start are read from their end (no
 * replay of history), shards that open later from their start, one page at a time, each
 * page handed to `onRecords` and awaited before the next (records of a shard stay in order).
 * A failure is logged and the reader goes on; it never ends the process.
 */
export type StreamRecord = _Record;

export async function startStreamReader(options: { endpoint: string; region: string; tableName: string; onRecords: (records: StreamRecord[]) => Promise<void>; log: (line: string) => void }) {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ region: options.region, endpoint: options.endpoint, credentials });
  const streams = new DynamoDBStreamsClient({ region: options.region, endpoint: options.endpoint, credentials });
  const streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }))).Table?.LatestStreamArn;
  dynamodb.destroy();
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const iterators = new Map<string, string | undefined>();
  const discover = async (initial: boolean) => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (iterators.has(shard.ShardId!)) continue;
      if (initial && shard.SequenceNumberRange?.EndingSequenceNumber) {
        iterators.set(shard.ShardId!, undefined);
        continue;
      }
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: initial ? 'LATEST' : 'TRIM_HORIZON' }));
      iterators.set(shard.ShardId!, ShardIterator);
    }
  };
  await discover(true);

  // New shards appear when one closes (or, in DynamoDB Local, now and then): look for them
  // then, and every few seconds, not on every poll.
  const REDISCOVER_MS = 3000;
  let discoveredAt = Date.now();
  const poll = async () => {
    try {
      if (Date.now() - discoveredAt > REDISCOVER_MS || [...iterators.values()].every((iterator) => !iterator)) {
        await discover(false);
        discoveredAt = Date.now();
      }
      for (const [shardId, iterator] of iterators) {
        if (!iterator || stopped) continue;
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        iterators.set(shardId, page.NextShardIterator);
        if (!page.NextShardIterator) discoveredAt = 0; // the shard closed: its child is next
        if (page.Records?.length) await options.onRecords(page.Records);
      }
    } catch (error) {
      options.log(`webhook stream reader: ${(error as Error).name}: ${(error as Error).message}`);
    }
    if (!stopped) timer = setTimeout(() => void poll(), 200);
  };
  timer = setTimeout(() => void poll(), 0);

  return {
    streamArn,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      streams.destroy();
    },
  };
}
