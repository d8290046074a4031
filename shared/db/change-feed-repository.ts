import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TIMESHEET_ACTIONS, type Change, type ChangeFeedRepository } from '../tracking/change-feed.ts';
import type { Timesheet, Transition } from '../tracking/timesheets.ts';
import type { DirectoryKind } from '../tracking/directory.ts';
import { recordFromItem } from './directory-repository.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { timeEntryVersionFromItem } from './item-mappers.ts';
import { keys } from './keys.ts';
import { tableDefinition } from './table-definition.ts';

type Item = Record<string, unknown>;

/**
 * Above every position that starts with the given one and below every greater position: no
 * position is a prefix of another (keys.changeFeedPosition), so `BETWEEN after+' ' AND …`
 * reads exactly the positions after `after`.
 */
export const justAfter = (position: string) => `${position} `;

/** A stored change as the feed shows it; anything else in the index (none is written) is skipped. */
export function changeFromItem(item: Item): Change | undefined {
  const position = String(item.feed_sk);
  if (item.entity === 'time_entry_version') {
    const version = timeEntryVersionFromItem(item);
    return {
      type: 'time_entry',
      position,
      action: version.action,
      id: version.entryId,
      at: version.at,
      by: version.by,
      version: version.version,
      entry: version.action === 'deleted' ? null : version.entry,
    };
  }
  if (item.entity === 'directory_change') {
    const kind = item.kind as DirectoryKind;
    const removed = item.change === 'removed';
    return {
      type: kind,
      position,
      action: removed ? 'removed' : item.change === 'created' ? 'created' : 'updated',
      id: Number(item.id),
      at: String(item.at),
      by: typeof item.by === 'number' ? item.by : null,
      // A removal's revision is the one its record would have had next (its place in the feed).
      revision: Number(position.slice(-10)),
      record: removed ? null : recordFromItem(kind, Number(item.workspace_id), (item.record ?? {}) as Item),
    };
  }
  if (item.entity === 'timesheet_change') {
    return {
      type: 'timesheet',
      position,
      action: TIMESHEET_ACTIONS[item.transition as Transition],
      id: String(item.id),
      at: String(item.at),
      by: Number(item.by),
      revision: Number(item.revision),
      timesheet: JSON.parse(String(item.timesheet)) as Timesheet,
      workspaceId: Number(item.workspace_id),
    };
  }
  return undefined;
}

/** The change feed over the table's `changes` index: a page is one Query (eventually consistent, as every index read is). */
export function createChangeFeedRepository(client: DynamoDBDocumentClient, tableName: string): ChangeFeedRepository {
  const { name: indexName, partitionKey, sortKey } = tableDefinition.changeFeedIndex;
  return {
    async readChanges(workspaceId, { after, before, types, limit }) {
      // A cursor at or past the settled time (a clock ahead of this one) has nothing settled after it yet.
      if (after !== undefined && justAfter(after) >= before) return { changes: [], stoppedAt: undefined };
      const filter = types && types.length > 0 ? types : undefined;
      const page = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            IndexName: indexName,
            KeyConditionExpression: after === undefined ? '#pk = :pk AND #sk < :before' : '#pk = :pk AND #sk BETWEEN :after AND :before',
            ...(filter ? { FilterExpression: `#type IN (${filter.map((_, index) => `:type${index}`).join(', ')})` } : {}),
            ExpressionAttributeNames: { '#pk': partitionKey.name, '#sk': sortKey.name, ...(filter ? { '#type': 'feed_type' } : {}) },
            ExpressionAttributeValues: {
              ':pk': keys.changeFeedPk(workspaceId),
              ':before': before,
              ...(after === undefined ? {} : { ':after': justAfter(after) }),
              ...Object.fromEntries((filter ?? []).map((type, index) => [`:type${index}`, type])),
            },
            Limit: limit,
          }),
        )
        .catch(translateDynamoError);
      const changes = (page.Items ?? []).flatMap((item) => changeFromItem(item) ?? []);
      const stoppedAt = page.LastEvaluatedKey ? String(page.LastEvaluatedKey[sortKey.name]) : undefined;
      return { changes, stoppedAt };
    },
  };
}
