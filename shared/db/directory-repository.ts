import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, keyString } from './batch-get.ts';
import type { DirectoryKind, DirectoryRecord, DirectoryRef, DirectoryRepository, DirectoryWrite } from '../tracking/directory.ts';
import { isActiveOwner, refKey } from '../tracking/directory.ts';
import { DEFAULT_TIME_ZONE } from '../tracking/time-zones.ts';
import { failedConditions, isTransactionConflict, translateDynamoError } from './dynamo-errors.ts';
import { userMembershipToItem } from './item-mappers.ts';
import { keys, type ItemKey } from './keys.ts';
import { queryAll } from './query-all.ts';
import { queryPage } from './page-cursor.ts';

/**
 * The directory's items (docs/data-model.md): the same items and attributes the tracking
 * code reads (memberships, projects, contracts, tasks, the workspace), plus what a write
 * through the API keeps: `revision`, `source_version`, `updated_at`, `updated_by`. Records
 * written by a seed read as revision 0 with no source version.
 */
type KindItems = { entity: string; idAttribute: string; key: (workspaceId: number, id: number) => ItemKey; prefix?: string; fields: Record<string, unknown> };
const KINDS: Record<DirectoryKind, KindItems> = {
  workspace: { entity: 'workspace', idAttribute: 'workspace_id', key: (workspaceId) => keys.workspace(workspaceId), fields: { name: null } },
  member: { entity: 'membership', idAttribute: 'user_id', key: keys.membership, prefix: 'MEMBER#', fields: { role: null, status: 'active', name: null, email: null } },
  project: { entity: 'project', idAttribute: 'project_id', key: keys.project, prefix: 'PROJECT#', fields: { name: null, status: 'active' } },
  contract: {
    entity: 'contract',
    idAttribute: 'contract_id',
    key: keys.contract,
    prefix: 'CONTRACT#',
    fields: { user_id: null, project_id: null, status: 'active', billable: false, rate_history: null },
  },
  task: { entity: 'task', idAttribute: 'task_id', key: keys.task, prefix: 'TASK#', fields: { project_id: null, title: null, status: 'open' } },
};

type Item = Record<string, unknown>;

export function recordFromItem(kind: DirectoryKind, workspaceId: number, item: Item): DirectoryRecord {
  const spec = KINDS[kind];
  const fields = Object.fromEntries(Object.entries(spec.fields).map(([field, fallback]) => [field, (item[field] ?? fallback) as string | number | boolean | null]));
  return {
    kind,
    workspaceId,
    id: Number(item[spec.idAttribute]),
    fields,
    revision: Number(item.revision ?? 0),
    sourceVersion: typeof item.source_version === 'number' ? item.source_version : null,
    updatedAt: typeof item.updated_at === 'string' ? item.updated_at : null,
    updatedBy: typeof item.updated_by === 'number' ? item.updated_by : null,
  };
}

export function recordToItem(record: DirectoryRecord): Item {
  const spec = KINDS[record.kind];
  return {
    ...spec.key(record.workspaceId, record.id),
    entity: spec.entity,
    workspace_id: record.workspaceId,
    [spec.idAttribute]: record.id,
    ...record.fields,
    revision: record.revision,
    source_version: record.sourceVersion,
    updated_at: record.updatedAt,
    updated_by: record.updatedBy,
  };
}

/**
 * The audit entry of one write of `record` (`after` absent: removed), kept in the write's
 * transaction. It carries the record as it is after the write (as it was, for a removal)
 * and whether the write made, changed or removed it (`change`): the directory's webhook
 * events are read from these entries on the stream (shared/contracts/webhook-events.ts).
 */
export function directoryChangeItem(record: DirectoryRecord, after: DirectoryRecord | undefined, audit: DirectoryWrite['audit'], options: { created: boolean }): Item {
  const changeId = randomUUID();
  const { pk: _pk, sk: _sk, entity: _entity, ...attributes } = recordToItem(after ?? record);
  const revision = after?.revision ?? record.revision + 1;
  return {
    ...keys.directoryChange(record.workspaceId, record.kind, record.id, audit.at, revision, changeId),
    ...keys.changeFeedAttributes(record.workspaceId, audit.at, record.kind, record.id, revision),
    entity: 'directory_change',
    change_id: changeId,
    kind: record.kind,
    workspace_id: record.workspaceId,
    id: record.id,
    revision: after?.revision ?? null,
    action: audit.action,
    change: !after ? 'removed' : options.created ? 'created' : 'updated',
    at: audit.at,
    by: audit.by,
    record: attributes,
    // An empty map is left out: DynamoDB Local's stream shows `{}` as a value no reader can unmarshall.
    ...(Object.keys(audit.changes).length > 0 ? { changes: audit.changes } : {}),
  };
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * The change a membership write makes to its workspace's owners set (WS#<ws> / OWNERS),
 * in the write's transaction: a member who becomes an active owner is added, one who stops
 * being one (demoted, deactivated, removed) is taken out. Nothing when neither changes.
 */
export function ownersSetChange(tableName: string, before: DirectoryRecord | undefined, after: DirectoryRecord | undefined): TransactItem | undefined {
  const record = (after ?? before)!;
  if (record.kind !== 'member' || isActiveOwner(before) === isActiveOwner(after)) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: keys.workspaceOwners(record.workspaceId),
      UpdateExpression: `${isActiveOwner(after) ? 'ADD' : 'DELETE'} user_ids :user`,
      ExpressionAttributeValues: { ':user': new Set([record.id]) },
    },
  };
}

/** A workspace made through the API has had no member before it: its owners set is whole from the start (its first owner, if any). */
function newWorkspaceOwners(tableName: string, workspaceId: number, firstOwner: DirectoryRecord | undefined): TransactItem {
  const owner = firstOwner && isActiveOwner(firstOwner) ? firstOwner.id : undefined;
  return {
    Update: {
      TableName: tableName,
      Key: keys.workspaceOwners(workspaceId),
      UpdateExpression: owner === undefined ? 'SET complete = :complete' : 'SET complete = :complete ADD user_ids :user',
      ExpressionAttributeValues: { ':complete': true, ...(owner === undefined ? {} : { ':user': new Set([owner]) }) },
    },
  };
}

/** A membership that is an active owner, as a condition or a filter: the last-owner rule's check, its fallback Query and the owners set's rebuild read it alike. */
export const ACTIVE_OWNER = {
  expression: '#role = :owner AND #status = :active',
  names: { '#role': 'role', '#status': 'status' },
  values: { ':owner': 'owner', ':active': 'active' },
} as const;

/** The record is still at the revision read (0: written by a seed, without one; absent: not there). */
function unchangedSince(before: DirectoryRecord | undefined) {
  if (!before) return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (before.revision === 0) return { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revision)' };
  return { ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': before.revision } };
}

export function createDirectoryRepository(client: DynamoDBDocumentClient, tableName: string): DirectoryRepository {
  return {
    async load(workspaceId: number, refs: readonly DirectoryRef[]) {
      const keyed = refs.map((ref) => ({ ref, key: KINDS[ref.kind].key(workspaceId, ref.id) }));
      const items = await batchGetAll(
        client,
        tableName,
        keyed.map(({ key }) => key),
      );
      const found = new Map<string, DirectoryRecord>();
      for (const { ref, key } of keyed) {
        const item = items.get(keyString(key));
        if (item) found.set(refKey(ref), recordFromItem(ref.kind, workspaceId, item));
      }
      return found;
    },

    async activeOwners(workspaceId: number) {
      const owners = await client.send(new GetCommand({ TableName: tableName, Key: keys.workspaceOwners(workspaceId), ConsistentRead: true })).catch(translateDynamoError);
      // An empty set is no attribute at all in DynamoDB.
      if (owners.Item?.complete === true) return [...((owners.Item.user_ids as Set<number> | undefined) ?? [])].map(Number);
      // A workspace from before the set (until `npm run admin -- backfill-member-index`): every membership read.
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :members)',
        FilterExpression: ACTIVE_OWNER.expression,
        ExpressionAttributeNames: ACTIVE_OWNER.names,
        ExpressionAttributeValues: { ':pk': keys.workspace(workspaceId).pk, ':members': KINDS.member.prefix, ...ACTIVE_OWNER.values },
        ConsistentRead: true,
      });
      return items.map((item) => Number(item.user_id));
    },

    async write({ before, after, alsoCreate, archive, keepsOwner, audit }: DirectoryWrite) {
      const record = (after ?? before)!;
      const key = KINDS[record.kind].key(record.workspaceId, record.id);
      const items: TransactItem[] = [
        after ? { Put: { TableName: tableName, Item: recordToItem(after), ...unchangedSince(before) } } : { Delete: { TableName: tableName, Key: key, ...unchangedSince(before) } },
        { Put: { TableName: tableName, Item: directoryChangeItem(record, after, audit, { created: !before }) } },
      ];
      if (alsoCreate) items.push({ Put: { TableName: tableName, Item: recordToItem(alsoCreate) } });
      // A membership's mark in its user's partition comes and goes with it (a member may hold API keys).
      for (const member of [record, alsoCreate].filter((one) => one?.kind === 'member')) {
        const mark = userMembershipToItem(member!.workspaceId, member!.id);
        items.push(member === record && !after ? { Delete: { TableName: tableName, Key: { pk: mark.pk, sk: mark.sk } } } : { Put: { TableName: tableName, Item: mark } });
      }
      const ownersChange = record.kind === 'workspace' && !before ? newWorkspaceOwners(tableName, record.workspaceId, alsoCreate) : ownersSetChange(tableName, before, after);
      if (ownersChange) items.push(ownersChange);
      if (archive) {
        items.push({
          Update: {
            TableName: tableName,
            Key: keys.archivedProjects(record.workspaceId),
            UpdateExpression: `${archive.archived ? 'ADD' : 'DELETE'} project_ids :ids`,
            ExpressionAttributeValues: { ':ids': new Set([archive.projectId]) },
          },
        });
      }
      if (keepsOwner !== undefined) {
        items.push({
          ConditionCheck: {
            TableName: tableName,
            Key: keys.membership(record.workspaceId, keepsOwner),
            ConditionExpression: ACTIVE_OWNER.expression,
            ExpressionAttributeNames: ACTIVE_OWNER.names,
            ExpressionAttributeValues: ACTIVE_OWNER.values,
          },
        });
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: items }));
        return 'written';
      } catch (error) {
        if (failedConditions(error).length > 0 || isTransactionConflict(error)) return 'conflict';
        return translateDynamoError(error);
      }
    },

    async timeZoneOf(workspaceId: number) {
      const settings = await client.send(new GetCommand({ TableName: tableName, Key: keys.workspaceSettings(workspaceId), ConsistentRead: true })).catch(translateDynamoError);
      return typeof settings.Item?.time_zone === 'string' ? settings.Item.time_zone : DEFAULT_TIME_ZONE;
    },

    async list(workspaceId: number, kind: Exclude<DirectoryKind, 'workspace'>, page: { cursor?: string; perPage: number }) {
      const read = await queryPage(client, { TableName: tableName, pk: keys.workspace(workspaceId).pk, prefix: KINDS[kind].prefix!, ConsistentRead: true }, page);
      return { records: read.items.map((item) => recordFromItem(kind, workspaceId, item)), nextCursor: read.nextCursor };
    },
  };
}
