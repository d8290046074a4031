import { CursorExpiredError, ValidationError } from '../errors.ts';
import type { PortAccess } from '../ports/port-access.ts';
import { toApiTimestamp } from './api-time.ts';
import type { DirectoryKind, DirectoryRecord } from './directory.ts';
import { assertManagesWorkspaceNow } from './member-access.ts';
import type { TimeEntry } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import type { Timesheet, Transition } from './timesheets.ts';

/** What the feed carries: every version of a time entry and every directory change (docs/change-feed.md). */
export const CHANGE_TYPES = ['time_entry', 'workspace', 'member', 'project', 'contract', 'task', 'timesheet'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** One change, as the feed reads it back: `position` is its place in the workspace's feed. */
export type Change =
  | { type: 'time_entry'; position: string; action: 'created' | 'updated' | 'deleted'; id: string; at: string; by: number | null; version: number; entry: TimeEntry | null }
  | { type: DirectoryKind; position: string; action: 'created' | 'updated' | 'removed'; id: number; at: string; by: number | null; revision: number; record: DirectoryRecord | null }
  | { type: 'timesheet'; position: string; action: TimesheetAction; id: string; at: string; by: number; revision: number; timesheet: Timesheet; workspaceId: number };

/** What a timesheet's change did: its transition, in the past tense. */
export const TIMESHEET_ACTIONS = { submit: 'submitted', unsubmit: 'unsubmitted', approve: 'approved', reject: 'rejected', reopen: 'reopened' } as const satisfies Record<Transition, string>;
export type TimesheetAction = (typeof TIMESHEET_ACTIONS)[Transition];

/** The port the feed reads through (shared/db/change-feed-repository.ts). */
export type ChangeFeedRepository = {
  /**
   * The workspace's changes after `after` (exclusive; absent: from its first) made before
   * `before` (an API timestamp, exclusive), oldest first, of `types` only (absent: all), in
   * one read of at most `limit` changes. `stoppedAt`: where that read stopped when more may
   * follow (it may lie past the last change returned, when the types filter skipped some).
   */
  readChanges(
    workspaceId: number,
    range: { after: string | undefined; before: string; types: readonly ChangeType[] | undefined; limit: number },
  ): Promise<{ changes: Change[]; stoppedAt: string | undefined }>;
};

/** Which of its methods read and which write (the rate limit lets reads run beside its count, holds writes). */
export const CHANGE_FEED_REPOSITORY_ACCESS: PortAccess<ChangeFeedRepository> = { readChanges: 'read' };

/** Its only format so far: a cursor of another format is expired (410), never misread. */
const CURSOR_FORMAT = 1;
/** A position as `keys.changeFeedPosition` writes it: time, type, id, revision ('' is the feed's start). */
const POSITION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00#[a-z_]+#[0-9A-Za-z_-]+#\d{10})?$/;

/** A cursor names a place in one workspace's feed: opaque to clients (base64url of JSON). */
export const cursorOf = (workspaceId: number, position: string) => Buffer.from(JSON.stringify({ v: CURSOR_FORMAT, w: workspaceId, p: position })).toString('base64url');

/** The position a client's cursor names: 422 on `since` when it is no cursor of this workspace's feed, 410 when it is of a format no longer read. */
export function positionOfCursor(cursor: string, workspaceId: number): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const fields = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as { v?: unknown; w?: unknown; p?: unknown };
  if (typeof fields.v !== 'number' || typeof fields.w !== 'number' || typeof fields.p !== 'string')
    throw new ValidationError({ since: ['The since cursor is malformed: send a cursor the feed answered.'] });
  if (fields.v !== CURSOR_FORMAT) throw new CursorExpiredError();
  if (fields.w !== workspaceId) throw new ValidationError({ since: ['The since cursor belongs to another workspace’s feed.'] });
  if (!POSITION.test(fields.p)) throw new ValidationError({ since: ['The since cursor is malformed: send a cursor the feed answered.'] });
  return fields.p;
}

export type ChangePage = {
  changes: Array<Change & { cursor: string }>;
  /** Where to go on from: after the last change read, or where the read stopped; the `since` given when nothing was read. */
  nextCursor: string;
  hasMore: boolean;
  /** Every change made before this time is in the feed (and was in this read, or in those before `since`). */
  settledUntil: string;
};

/**
 * A page of the workspace's change feed (owners and executive managers; check 5 read
 * beside the page, shown only once it passed). Only changes made at least `settleSeconds`
 * ago are read: a change is placed by the time its write began, and it reaches the index
 * that is read here after its transaction commits (a write lasts at most its function's
 * timeout; the index follows within a second or so). Read from any cursor to its end, the
 * feed therefore never skips a change, and never repeats one: positions are unique and
 * the order is that of the index.
 */
export async function readChangeFeed(
  actorUserId: number,
  query: { workspaceId: number; since?: string; types?: readonly ChangeType[]; limit: number },
  deps: { repository: TrackingRepository; changes: ChangeFeedRepository; now: Date; settleSeconds: number },
): Promise<ChangePage> {
  const after = query.since === undefined ? undefined : positionOfCursor(query.since, query.workspaceId);
  const settledUntil = toApiTimestamp(new Date(deps.now.getTime() - deps.settleSeconds * 1000));
  const [, page] = await Promise.all([
    assertManagesWorkspaceNow(actorUserId, query.workspaceId, deps.repository),
    deps.changes.readChanges(query.workspaceId, { after: after || undefined, before: settledUntil, types: query.types, limit: query.limit }),
  ]);
  const last = page.stoppedAt ?? page.changes.at(-1)?.position ?? after ?? '';
  return {
    changes: page.changes.map((change) => ({ ...change, cursor: cursorOf(query.workspaceId, change.position) })),
    nextCursor: cursorOf(query.workspaceId, last),
    hasMore: page.stoppedAt !== undefined,
    settledUntil,
  };
}

/** `types=` as a list: each a known type, at most once (422 on the field otherwise). */
export function changeTypesOf(value: string | undefined): ChangeType[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',');
  const unknown = names.filter((name) => !(CHANGE_TYPES as readonly string[]).includes(name));
  if (unknown.length > 0 || new Set(names).size !== names.length) throw new ValidationError({ types: [`The types must be distinct values of ${CHANGE_TYPES.join(', ')}, comma-separated.`] });
  return names as ChangeType[];
}
