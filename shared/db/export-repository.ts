import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { ExportJob, ExportRepository } from '../tracking/exports.ts';
import { translateDynamoError } from './dynamo-errors.ts';
import { nullableNumber, nullableString } from './item-mappers.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

type Item = Record<string, unknown>;

const EXPORT_SK_PREFIX = 'EXPORT#';
/** A record outlives its file (7 days) so that its export answers 410, not 404, for a while; DynamoDB's TTL deletes it after this. */
const RECORD_DAYS = 30;

/** An export's record in its workspace's partition; its id starts with its creation time, so the sort key orders them by it. */
export const exportKeys = {
  exportJob: (workspaceId: number, exportId: string) => ({ pk: `WS#${workspaceId}`, sk: `${EXPORT_SK_PREFIX}${exportId}` }),
  prefix: EXPORT_SK_PREFIX,
};

/** An export's id: its creation time (ms, hex) then 96 random bits, so ids sort by creation and none can be guessed. */
export const exportIdAt = (time: number, random: string) => `${time.toString(16).padStart(12, '0')}${random}`;
const idLowerBound = (createdAfter: string) => exportIdAt(Date.parse(createdAfter), '');

const attributesOf = (job: ExportJob): Item => ({
  entity: 'export',
  export_id: job.exportId,
  workspace_id: job.workspaceId,
  report: job.report,
  format: job.format,
  parameters: JSON.stringify(job.parameters),
  status: job.status,
  created_at: job.createdAt,
  created_by: job.createdBy,
  started_at: job.startedAt,
  completed_at: job.completedAt,
  row_count: job.rowCount,
  bytes: job.bytes,
  error: job.error === null ? null : JSON.stringify(job.error),
  revision: job.revision,
  object_key: job.objectKey,
  lease_until: job.leaseUntil,
  attempts: job.attempts,
  checkpoint: job.checkpoint === null ? null : JSON.stringify(job.checkpoint),
});

export function exportJobFromItem(item: Item): ExportJob {
  return {
    exportId: String(item.export_id),
    workspaceId: Number(item.workspace_id),
    report: item.report as ExportJob['report'],
    format: item.format as ExportJob['format'],
    parameters: JSON.parse(String(item.parameters)) as ExportJob['parameters'],
    status: item.status as ExportJob['status'],
    createdAt: String(item.created_at),
    createdBy: Number(item.created_by),
    startedAt: nullableString(item.started_at),
    completedAt: nullableString(item.completed_at),
    rowCount: nullableNumber(item.row_count),
    bytes: nullableNumber(item.bytes),
    error: typeof item.error === 'string' ? (JSON.parse(item.error) as ExportJob['error']) : null,
    revision: Number(item.revision),
    objectKey: String(item.object_key),
    leaseUntil: nullableNumber(item.lease_until),
    attempts: Number(item.attempts ?? 0),
    checkpoint: typeof item.checkpoint === 'string' ? (JSON.parse(item.checkpoint) as ExportJob['checkpoint']) : null,
  };
}

/** An export's item as stored (its webhook events are read from it off the stream). */
export const exportItemOf = (job: ExportJob): Item => ({ ...exportKeys.exportJob(job.workspaceId, job.exportId), ...attributesOf(job), ttl: ttlOf(job) });

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Export records (docs/data-model.md, "Exports"): one item per export in its workspace's
 * partition. Every change of a record is conditioned on the revision read, so that two
 * invocations of one job can never both run it, nor one end what the other holds.
 */
export function createExportRepository(client: DynamoDBDocumentClient, tableName: string): ExportRepository {
  const replace = async (job: ExportJob, seenRevision: number, extraCondition = '') => {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: exportItemOf(job),
          ConditionExpression: `revision = :seen${extraCondition}`,
          ExpressionAttributeValues: { ':seen': seenRevision },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      return translateDynamoError(error);
    }
  };
  return {
    async create(job) {
      await client
        .send(
          new PutCommand({
            TableName: tableName,
            Item: exportItemOf(job),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch(translateDynamoError);
    },

    async get(workspaceId, exportId) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: exportKeys.exportJob(workspaceId, exportId), ConsistentRead: true })).catch(translateDynamoError);
      return output.Item ? exportJobFromItem(output.Item) : undefined;
    },

    async list(workspaceId, options) {
      const { pk } = exportKeys.exportJob(workspaceId, '');
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, EXPORT_SK_PREFIX);
      const output = await client
        .send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
            ExpressionAttributeValues: { ':pk': pk, ':low': `${EXPORT_SK_PREFIX}${idLowerBound(options.createdAfter)}`, ':high': `${EXPORT_SK_PREFIX}~` },
            ScanIndexForward: false,
            Limit: options.limit + 1,
            ConsistentRead: true,
            ...(after === undefined ? {} : { ExclusiveStartKey: { pk, sk: after } }),
          }),
        )
        .catch(translateDynamoError);
      const items = output.Items ?? [];
      const page = items.slice(0, options.limit);
      return { jobs: page.map(exportJobFromItem), nextCursor: items.length > options.limit ? encodeCursor(String(page.at(-1)!.sk)) : null };
    },

    async claim(job, claim) {
      // Queued, or running under a lease that has passed (its invocation died): never a live run's, never an ended job.
      const claimable = job.status === 'queued' || (job.status === 'running' && (job.leaseUntil ?? 0) <= claim.now);
      if (!claimable) return undefined;
      const claimed: ExportJob = { ...job, status: 'running', startedAt: claim.startedAt, leaseUntil: claim.leaseUntil, revision: job.revision + 1, attempts: job.attempts + 1 };
      return (await replace(claimed, job.revision)) ? claimed : undefined;
    },

    async finish(job, end) {
      const ended: ExportJob = { ...job, ...end, leaseUntil: null, checkpoint: null, revision: job.revision + 1 };
      if (!(await replace(ended, job.revision))) throw new Error(`export ${job.exportId} changed while it ran: its run no longer holds it`);
      return ended;
    },

    async pause(job, checkpoint) {
      const paused: ExportJob = { ...job, checkpoint, leaseUntil: 0, attempts: 0, revision: job.revision + 1 };
      if (!(await replace(paused, job.revision))) throw new Error(`export ${job.exportId} changed while it ran: its run no longer holds it`);
      return paused;
    },
  };
}

const ttlOf = (job: ExportJob) => Math.floor(Date.parse(job.createdAt) / 1000) + RECORD_DAYS * 86_400;
