import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { translateDynamoError } from '../shared/db/dynamo-errors.ts';
import { keys } from '../shared/db/keys.ts';
import { scanAll } from './table-admin.ts';

/**
 * `npm run admin -- backfill-change-feed`: entry versions and directory changes recorded
 * before the change feed existed get their place in it (docs/change-feed.md), the one their
 * writer would have given them. Each is one UpdateItem conditioned on the item having no
 * place yet: safe to run again, and while the API serves. Run it before integrators start
 * following the feed, since a reader already past a backfilled change's time does not see it.
 */
export async function backfillChangeFeed(client: DynamoDBDocumentClient, tableName: string): Promise<{ scanned: number; backfilled: number }> {
  const items = await scanAll(client, tableName, {
    FilterExpression: '(entity = :version OR entity = :change) AND attribute_not_exists(feed_pk)',
    ExpressionAttributeValues: { ':version': 'time_entry_version', ':change': 'directory_change' },
  });
  let backfilled = 0;
  for (const item of items) {
    const workspaceId = Number(item.workspace_id);
    const attributes =
      item.entity === 'time_entry_version'
        ? keys.changeFeedAttributes(workspaceId, String(item.at), 'time_entry', String(item.entry_id), Number(item.version))
        : keys.changeFeedAttributes(workspaceId, String(item.at), String(item.kind), Number(item.id), Number(String(item.sk).split('#')[2]));
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET feed_pk = :pk, feed_sk = :sk, feed_type = :type',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(feed_pk)',
          ExpressionAttributeValues: { ':pk': attributes.feed_pk, ':sk': attributes.feed_sk, ':type': attributes.feed_type },
        }),
      );
      backfilled++;
    } catch (error) {
      // Given its place meanwhile (another run): nothing to do.
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') translateDynamoError(error);
    }
  }
  return { scanned: items.length, backfilled };
}
