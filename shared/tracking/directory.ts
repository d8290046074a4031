import type { PortAccess } from '../ports/port-access.ts';
import { isDirectoryCredential } from '../auth/scopes.ts';
import { DependencyUnavailableError, ForbiddenError, NotFoundError, PreconditionFailedError, StaleVersionError, ValidationError, type FieldErrors } from '../errors.ts';
import { toApiTimestamp } from './api-time.ts';
import type { Money } from './money.ts';
import { nextRateHistory, rateHistoryFromText, rateHistoryToText } from './rates.ts';
import { contentionPause, WRITE_ATTEMPTS } from './timeline.ts';
import { dateIn } from './time-zones.ts';

/**
 * The workspace directory over the API (docs/contract.md "The directory"): workspaces,
 * members, projects, contracts and tasks, each created or replaced by a PUT that a sync job
 * may replay and reorder. The rules, free of HTTP and DynamoDB:
 * - who: a workspace's active owners, or a platform credential (`directory` scope) for any
 *   workspace; a workspace itself only by the latter;
 * - versions: the source's `version` never goes back (lower → 409 `stale_version`, the same
 *   with the same content → the stored record, unchanged); `If-Match` names our revision;
 * - integrity: what a record points at exists, the last active owner stays one;
 * - every write is one transaction, conditioned on the revision read, with its audit entry.
 */
export const DIRECTORY_KINDS = ['workspace', 'member', 'project', 'contract', 'task'] as const;
export type DirectoryKind = (typeof DIRECTORY_KINDS)[number];
export type DirectoryFields = Readonly<Record<string, string | number | boolean | null>>;

export type DirectoryRecord = {
  kind: DirectoryKind;
  workspaceId: number;
  /** The record's id in its workspace (the user's id for a member, the workspace's own for a workspace). */
  id: number;
  fields: DirectoryFields;
  /** Ours: 1 when created, +1 per change; the ETag, and what If-Match names. */
  revision: number;
  /** The source system's `version` of the last write that gave one. */
  sourceVersion: number | null;
  updatedAt: string | null;
  updatedBy: number | null;
};

export type DirectoryRef = { kind: DirectoryKind; id: number };
export const refKey = (ref: DirectoryRef) => `${ref.kind}#${ref.id}`;

/** One audited write: what it was, what it becomes (absent: removed), by whom, when. */
export type DirectoryWrite = {
  before: DirectoryRecord | undefined;
  after: DirectoryRecord | undefined;
  /** Written in the same transaction, created only if absent (a new workspace's first owner). */
  alsoCreate?: DirectoryRecord;
  /** A project archived (true) or brought back (false): the workspace's archived set changes with it. */
  archive?: { projectId: number; archived: boolean };
  /** Another active owner that must still be one when this commits (the last owner stays). */
  keepsOwner?: number;
  audit: { at: string; by: number; action: 'put' | 'delete'; changes: Record<string, [unknown, unknown]> };
};

export interface DirectoryRepository {
  /** The records asked for, in one strongly consistent batch read (absent ones are not in the map). */
  load(workspaceId: number, refs: readonly DirectoryRef[]): Promise<Map<string, DirectoryRecord>>;
  /** The user ids of the workspace's active owners: one read of their set, whatever the number of members. */
  activeOwners(workspaceId: number): Promise<number[]>;
  /** 'conflict' when the record's revision changed since it was read, or a guarded owner is no longer one: nothing was written. */
  write(write: DirectoryWrite): Promise<'written' | 'conflict'>;
  /** The workspace's time zone (its settings'; UTC until set): what "today" is for a rate that names no day. */
  timeZoneOf(workspaceId: number): Promise<string>;
  /** One page of a kind's records in the workspace, in the order of their keys (ids as text), from `cursor` on: one Query. */
  list(workspaceId: number, kind: Exclude<DirectoryKind, 'workspace'>, page: { cursor?: string; perPage: number }): Promise<{ records: DirectoryRecord[]; nextCursor: string | null }>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const DIRECTORY_REPOSITORY_ACCESS: PortAccess<DirectoryRepository> = { load: 'read', activeOwners: 'read', timeZoneOf: 'read', list: 'read', write: 'write' };

/** Who asks: a user (who must own the workspace), or a platform credential. */
export type DirectoryActor = { userId: number; scopes: ReadonlySet<string> };

export type DirectoryPut = {
  kind: DirectoryKind;
  workspaceId: number;
  id: number;
  fields: DirectoryFields;
  version?: number;
  /** If-Match as preconditionOf gives it: a revision, or `*` (any existing record). */
  ifMatch?: number | '*';
  /** A new workspace's first owner. */
  ownerUserId?: number;
  /** A contract's hourly rate (null: none) and the day it is in force from (default: today in the workspace's zone); kept as its `rate_history`. */
  rate?: { hourlyRate: Money | null; effectiveFrom?: string };
};

/** Why an owner's PUT of a user who is no member is refused (403). */
export const NOT_A_MEMBER_YET = 'The user is not a member of this workspace: invite them (POST /workspaces/{workspace_id}/invitations), and they join by accepting.';

export const isActiveOwner = (record: DirectoryRecord | undefined) => record?.fields.role === 'owner' && record.fields.status === 'active';

/** Check 5 of the directory: a platform credential, or an active owner of the workspace (an executive manager too, to read). */
export function assertMayManage(actor: DirectoryActor, membership: DirectoryRecord | undefined, options: { kind: DirectoryKind; read: boolean }) {
  if (isDirectoryCredential(actor.scopes)) return;
  // A workspace is created and renamed by the organisation's sync job alone.
  if (options.kind === 'workspace') throw new ForbiddenError();
  const role = membership?.fields.role;
  if (membership?.fields.status !== 'active' || !(role === 'owner' || (options.read && role === 'executive_manager'))) throw new ForbiddenError();
}

/** What a record of each kind points at: read in the same batch, checked before any write. */
function referencesOf(put: DirectoryPut): DirectoryRef[] {
  switch (put.kind) {
    case 'contract':
      return [
        { kind: 'member', id: Number(put.fields.user_id) },
        { kind: 'project', id: Number(put.fields.project_id) },
      ];
    case 'task':
      return [{ kind: 'project', id: Number(put.fields.project_id) }];
    default:
      return [];
  }
}

function integrityErrors(put: DirectoryPut, loaded: Map<string, DirectoryRecord>, workspaceExists: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (put.kind === 'contract') {
    const member = loaded.get(refKey({ kind: 'member', id: Number(put.fields.user_id) }));
    if (!member) add('user_id', 'The selected user is not a member of this workspace.');
    else if (member.fields.role === 'project_viewer') add('user_id', 'A project viewer cannot hold a contract.');
    if (!loaded.has(refKey({ kind: 'project', id: Number(put.fields.project_id) }))) add('project_id', 'The selected project was not found in this workspace.');
  }
  if (put.kind === 'task' && !loaded.has(refKey({ kind: 'project', id: Number(put.fields.project_id) }))) add('project_id', 'The selected project was not found in this workspace.');
  if (put.kind === 'workspace' && !workspaceExists && put.ownerUserId === undefined) add('owner_user_id', 'The owner user id field is required for a new workspace.');
  return errors;
}

const sameFields = (a: DirectoryFields, b: DirectoryFields) => Object.keys({ ...a, ...b }).every((field) => (a[field] ?? null) === (b[field] ?? null));

function changesBetween(before: DirectoryFields | undefined, after: DirectoryFields | undefined): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const field of Object.keys({ ...before, ...after })) {
    const old = before?.[field] ?? null;
    const next = after?.[field] ?? null;
    if (old !== next) changes[field] = [old, next];
  }
  return changes;
}

/** If-Match against the record as read: `*` needs one to exist, `"<n>"` its revision to be n. */
function assertMatches(ifMatch: number | '*' | undefined, before: DirectoryRecord | undefined) {
  if (ifMatch === undefined) return;
  if (ifMatch === '*' ? !before : before?.revision !== ifMatch) throw new PreconditionFailedError();
}

/**
 * Creates or replaces one record (PUT). Two round trips: one batch read (the caller's
 * membership, the record, what it points at; and, beside it, the active owners when the
 * change could demote one), then one transaction. A write that lost a race reads again and
 * decides again (so of two writes of one version with different content, one wins and the
 * other is stale).
 */
export async function putDirectoryRecord(actor: DirectoryActor, put: DirectoryPut, deps: { repository: DirectoryRepository; now: Date }): Promise<DirectoryRecord> {
  // The source's version orders the organisation's sync: an owner pinning it (at 2^53 - 1, say) would refuse that job for ever.
  if (put.version !== undefined && !isDirectoryCredential(actor.scopes))
    throw new ValidationError({ version: ["The version field is set by the directory credential (the organisation's sync job) only."] });
  const self: DirectoryRef = { kind: put.kind, id: put.id };
  const actorRef: DirectoryRef = { kind: 'member', id: actor.userId };
  const workspaceRef: DirectoryRef = { kind: 'workspace', id: put.workspaceId };
  const mayDemote = put.kind === 'member' && !(put.fields.role === 'owner' && put.fields.status === 'active');
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const refs = [self, actorRef, workspaceRef, ...referencesOf(put), ...(put.ownerUserId !== undefined ? [{ kind: 'member' as const, id: put.ownerUserId }] : [])];
    const [loaded, owners, timeZone] = await Promise.all([
      deps.repository.load(put.workspaceId, refs),
      mayDemote ? deps.repository.activeOwners(put.workspaceId) : undefined,
      put.rate && put.rate.effectiveFrom === undefined ? deps.repository.timeZoneOf(put.workspaceId) : undefined,
    ]);
    assertMayManage(actor, loaded.get(refKey(actorRef)), { kind: put.kind, read: false });
    const workspaceExists = loaded.has(refKey(workspaceRef));
    // Records live in a workspace that exists (a platform credential could name any id).
    if (put.kind !== 'workspace' && !workspaceExists) throw new NotFoundError('The workspace was not found.');
    const before = loaded.get(refKey(self));
    // An older version of the source is stale whatever it holds (a replayed rate from before the latest one is no 422).
    if (put.version !== undefined && before?.sourceVersion != null && put.version < before.sourceVersion) throw new StaleVersionError(before.sourceVersion);
    const fields = put.rate ? withRateHistory(put.fields, before, put.rate, put.rate.effectiveFrom ?? dateIn(deps.now, timeZone!)) : put.fields;
    // A membership is made only by the organisation's sync job or by the user accepting an invitation
    // (shared/tracking/invitations.ts): an owner making one would track, and lock, anyone's time.
    if (put.kind === 'member' && !before && !isDirectoryCredential(actor.scopes)) throw new ForbiddenError(NOT_A_MEMBER_YET);
    const errors = integrityErrors(put, loaded, workspaceExists);
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    if (put.version !== undefined && before?.sourceVersion != null) {
      if (put.version < before.sourceVersion || (put.version === before.sourceVersion && !sameFields(before.fields, fields))) throw new StaleVersionError(before.sourceVersion);
    }
    assertMatches(put.ifMatch, before);
    if (before && sameFields(before.fields, fields) && (put.version === undefined || put.version === before.sourceVersion)) return before;

    let keepsOwner: number | undefined;
    if (isActiveOwner(before) && mayDemote) {
      keepsOwner = owners?.find((userId) => userId !== put.id);
      if (keepsOwner === undefined) throw new ValidationError({ [put.fields.role === 'owner' ? 'status' : 'role']: ['The last active owner of a workspace cannot be demoted or deactivated.'] });
    }
    const at = toApiTimestamp(deps.now);
    const after: DirectoryRecord = {
      kind: put.kind,
      workspaceId: put.workspaceId,
      id: put.id,
      fields,
      revision: (before?.revision ?? 0) + 1,
      sourceVersion: put.version ?? before?.sourceVersion ?? null,
      updatedAt: at,
      updatedBy: actor.userId,
    };
    const firstOwner =
      put.kind === 'workspace' && !workspaceExists && put.ownerUserId !== undefined && !isActiveOwner(loaded.get(refKey({ kind: 'member', id: put.ownerUserId })))
        ? {
            kind: 'member' as const,
            workspaceId: put.workspaceId,
            id: put.ownerUserId,
            fields: { role: 'owner', status: 'active', name: null, email: null },
            revision: 1,
            sourceVersion: null,
            updatedAt: at,
            updatedBy: actor.userId,
          }
        : undefined;
    const archive = put.kind === 'project' && (before?.fields.status ?? 'active') !== put.fields.status ? { projectId: put.id, archived: put.fields.status === 'archived' } : undefined;
    const written = await deps.repository.write({
      before,
      after,
      alsoCreate: firstOwner,
      archive,
      keepsOwner,
      audit: { at, by: actor.userId, action: 'put', changes: changesBetween(before?.fields, fields) },
    });
    if (written === 'written') return after;
  }
  throw new DependencyUnavailableError();
}

/** A contract's fields with the rate history a PUT of `rate` leaves (422 on a day before the latest period's). */
function withRateHistory(fields: DirectoryFields, before: DirectoryRecord | undefined, rate: { hourlyRate: Money | null }, effectiveFrom: string): DirectoryFields {
  const history = nextRateHistory(rateHistoryFromText(before?.fields.rate_history), rate.hourlyRate, effectiveFrom);
  return { ...fields, rate_history: rateHistoryToText(history) };
}

/**
 * Removes a member (DELETE). Their running tracker stays visible and stoppable by the
 * workspace's managers (docs/contract.md), and their entries stay; the last active owner
 * cannot be removed. Two round trips, as a PUT.
 */
export async function removeMember(actor: DirectoryActor, query: { workspaceId: number; userId: number; ifMatch?: number | '*' }, deps: { repository: DirectoryRepository; now: Date }): Promise<void> {
  const self: DirectoryRef = { kind: 'member', id: query.userId };
  const actorRef: DirectoryRef = { kind: 'member', id: actor.userId };
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const [loaded, owners] = await Promise.all([deps.repository.load(query.workspaceId, [self, actorRef]), deps.repository.activeOwners(query.workspaceId)]);
    assertMayManage(actor, loaded.get(refKey(actorRef)), { kind: 'member', read: false });
    const before = loaded.get(refKey(self));
    if (!before) throw new NotFoundError('The selected user is not a member of this workspace.');
    assertMatches(query.ifMatch, before);
    let keepsOwner: number | undefined;
    if (isActiveOwner(before)) {
      keepsOwner = owners.find((userId) => userId !== query.userId);
      if (keepsOwner === undefined) throw new ValidationError({ user_id: ['The last active owner of a workspace cannot be removed.'] });
    }
    const at = toApiTimestamp(deps.now);
    const written = await deps.repository.write({ before, after: undefined, keepsOwner, audit: { at, by: actor.userId, action: 'delete', changes: changesBetween(before.fields, undefined) } });
    if (written === 'written') return;
  }
  throw new DependencyUnavailableError();
}

/**
 * A page of a workspace's records of one kind, for its owners and executive managers or a
 * platform credential: one batch read beside one Query of exactly the page (a cursor the
 * list refuses is a 422, once the caller may read it).
 */
export async function listDirectory(
  actor: DirectoryActor,
  query: { workspaceId: number; kind: Exclude<DirectoryKind, 'workspace'>; cursor?: string; perPage: number },
  deps: { repository: DirectoryRepository },
): Promise<{ records: DirectoryRecord[]; nextCursor: string | null }> {
  const actorRef: DirectoryRef = { kind: 'member', id: actor.userId };
  const [loaded, page] = await Promise.allSettled([
    deps.repository.load(query.workspaceId, [actorRef]),
    deps.repository.list(query.workspaceId, query.kind, { ...(query.cursor === undefined ? {} : { cursor: query.cursor }), perPage: query.perPage }),
  ]);
  if (loaded.status === 'rejected') throw loaded.reason;
  assertMayManage(actor, loaded.value.get(refKey(actorRef)), { kind: query.kind, read: true });
  if (page.status === 'rejected') throw page.reason;
  return page.value;
}
