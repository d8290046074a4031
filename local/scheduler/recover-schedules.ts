import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { scanAll } from '../../admin/table-admin.ts';
import { createDocumentClient } from '../../shared/db/document-client.ts';

/**
 * EventBridge Scheduler keeps its schedules; the local scheduler keeps them in memory, and
 * the local stream is read from its end. So on start the trackers still running with a
 * limit (from a previous `npm start` on the same data) are handed to the schedules function
 * as the stream records that created them: the same code makes their schedules (one that
 * is already due fires at once, and its entry still ends at the tracker's limit).
 */
export async function recoverAutoStopSchedules(options: { endpoint: string; region: string; tableName: string; invokeSchedules: (event: DynamoDBStreamEvent) => Promise<unknown> }): Promise<number> {
  const client = createDocumentClient({ tableName: options.tableName, region: options.region, endpoint: options.endpoint });
  try {
    const trackers = await scanAll(client, options.tableName, { FilterExpression: 'entity = :tracker AND attribute_exists(auto_stop_at)', ExpressionAttributeValues: { ':tracker': 'tracker' } });
    if (trackers.length === 0) return 0;
    await options.invokeSchedules({
      Records: trackers.map((item, index) => ({
        eventID: `recovered-${index}`,
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventVersion: '1.1',
        awsRegion: options.region,
        dynamodb: {
          Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
          NewImage: marshall(item, { removeUndefinedValues: true }) as never,
          SequenceNumber: String(index),
          StreamViewType: 'NEW_IMAGE',
        },
      })),
    });
    return trackers.length;
  } finally {
    client.destroy();
  }
}
