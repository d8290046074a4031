import type { RouteDefinition } from '../route-definition.ts';
import { idSchema, nullableInteger, timestampSchema } from '../schemas.ts';
import { CHANGE_TYPES } from '../../tracking/change-feed.ts';
import { directoryRecordSchemas } from './directory.ts';
import { timeEntrySchema } from './time-entries.ts';
import { timesheetSchema } from './timesheets.ts';

/** A cursor of the feed: opaque; its own workspace's only. */
const cursor = { type: 'string', minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$', examples: ['eyJ2IjoxLCJ3IjoxLCJwIjoiIn0'] } as const;

const changesQuery = {
  type: 'object',
  required: ['workspace_id'],
  properties: {
    workspace_id: idSchema,
    since: {
      ...cursor,
      description:
        'Where to go on from: a `cursor` of a change, or the `meta.next_cursor` of a page, of this workspace’s feed (another workspace’s, or a malformed one → 422; one of a retired format → 410). Absent: the feed’s first change.',
    },
    types: {
      type: 'string',
      maxLength: 200,
      pattern: `^(${CHANGE_TYPES.join('|')})(,(${CHANGE_TYPES.join('|')}))*$`,
      description: `Only changes of these types, comma-separated, each at most once: ${CHANGE_TYPES.join(', ')}. Absent: all.`,
      examples: ['time_entry,member'],
    },
    limit: { type: 'integer', minimum: 1, maximum: 500, description: 'At most this many changes read (default 100); with `types`, a page may hold fewer and `has_more` says whether to go on.' },
  },
} as const;

/** The directory's record schemas, typed only as objects (their builder widens the literals the type derivation reads); the document shows them whole. */
const asObject = (schema: object) => schema as { readonly type: 'object' };
const { workspace, member, project, contract, task } = directoryRecordSchemas;

const change = {
  type: 'object',
  required: ['cursor', 'type', 'action', 'id', 'at', 'by', 'record'],
  properties: {
    cursor: { ...cursor, description: 'This change’s place in the feed: `since` it to read what came after it.' },
    type: { enum: CHANGE_TYPES },
    action: {
      enum: ['created', 'updated', 'deleted', 'removed', 'submitted', 'unsubmitted', 'approved', 'rejected', 'reopened'],
      description:
        'A time entry is `created`, `updated` or `deleted`; a directory record `created`, `updated` or `removed`; a timesheet `submitted`, `unsubmitted`, `approved`, `rejected` or `reopened`.',
    },
    id: { type: ['string', 'integer'], description: 'The entry’s or timesheet’s id (a string), or the record’s id in its workspace (the user’s id for a member).' },
    at: timestampSchema,
    by: { ...nullableInteger, description: 'Who made it (null: the service, as an auto-stop).' },
    version: { type: 'integer', minimum: 1, description: 'A time entry’s version this change made (as its history numbers them).' },
    revision: { type: 'integer', minimum: 1, description: 'A directory record’s revision this change made (its ETag; for a removal, the one after its last), or a timesheet’s status revision.' },
    record: {
      anyOf: [timeEntrySchema, asObject(workspace), asObject(member), asObject(project), asObject(contract), asObject(task), timesheetSchema, { type: 'null' }],
      description: 'The entry or record as it is after this change, as its own route answers it; null for a deleted entry or a removed record (a tombstone).',
    },
  },
  additionalProperties: false,
} as const;

const changesMeta = {
  type: 'object',
  required: ['next_cursor', 'has_more', 'settled_until'],
  properties: {
    next_cursor: { ...cursor, description: 'Keep it, and send it as `since` next time: never null, also on the last page.' },
    has_more: { type: 'boolean', description: 'More settled changes follow: read again at once with `since` = `next_cursor`.' },
    settled_until: { ...timestampSchema, description: 'Every change made before this time is in the feed; newer ones are read once they settle (docs/change-feed.md).' },
  },
} as const;

/** The change feed: what an integrator syncs from, and never misses a change by (docs/change-feed.md). (The route table is assembled in ../routes.ts.) */
export const changeRoutes = {
  listChanges: {
    method: 'GET',
    path: '/changes',
    functionName: 'list-changes',
    scope: 'read',
    idempotent: false,
    // Check 5 (BatchGetItem) beside one Query of the `changes` index.
    dynamodbActions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    indexes: ['changes'],
    summary: "A workspace's changes, oldest first, from a cursor: every time entry version and directory change, with deletions as tombstones",
    successOutcome: 'changes_listed',
    input: { query: changesQuery },
    response: { description: 'One page of changes made before `settled_until`, oldest first, and where to go on from.', data: { type: 'array', items: change }, meta: changesMeta },
    errors: { '410': 'The `since` cursor is of a format this service no longer reads (`cursor_expired`): read the feed again without `since`.' },
    example: { after: 'createTimeEntry', input: { workspace_id: 1, types: 'time_entry,member', limit: 100 } },
  },
} as const satisfies Record<string, RouteDefinition>;
