import type { PortAccess } from '../ports/port-access.ts';
import type { ActiveTracker, Contract, Membership, Task, TimeEntry, TimeEntryVersion, TimelineSlot, TimeRequest, WorkspaceSettings } from './model.ts';

/** Everything the checks of a request need, read in one round trip (one BatchGetItem). */
export type WorkspaceContext = {
  actor: Membership | undefined;
  target: Membership | undefined;
  contract: Contract | undefined;
  task: Task | undefined;
  /** The target user's active tracker, in whatever workspace (only when asked for). */
  tracker: ActiveTracker | undefined;
  /** The target's timeline slots in this workspace that were asked for (absent ones with no version). */
  timeline: TimelineSlot[];
  /** The time entry asked for by id, if it is in this workspace. */
  entry: TimeEntry | undefined;
  /** How many of the target's entries start on each UTC day (YYYY-MM-DD) of the months asked for. */
  dayCounts: Record<string, number>;
  /** The workspace's settings (the defaults when never changed, or when not asked for). */
  settings: WorkspaceSettings;
  /** The workspace's archived projects (read with a contract). */
  archivedProjects: ReadonlySet<number>;
};

export type WorkspaceContextQuery = {
  workspaceId: number;
  actorUserId: number;
  targetUserId: number;
  contractId?: number | null;
  taskId?: number | null;
  withTracker?: boolean;
  /** Timeline slots of the target in this workspace (shared/tracking/timeline.ts). */
  slots?: readonly string[];
  /** UTC months (YYYY-MM) whose per-day entry counts to read. */
  countMonths?: readonly string[];
  entryId?: string;
  /** Read the workspace's settings too. */
  withSettings?: boolean;
};

/** Where an entry sits in a member's list: its start (API timestamp), then its id (absent: every entry of that second). */
export type EntryPosition = { startTime: string; entryId?: string };

export type CreateTrackerResult = { created: true } | { created: false; existing: ActiveTracker } | { created: false; timelineChanged: true } | { created: false; timesheetLocked: true };

/**
 * One change of a time entry, written atomically with its history version and its spans:
 * `before` is the entry as read (absent for a creation), `after` the entry as it becomes
 * (absent for a deletion). `checked` are the timeline slots the overlap rule was checked
 * against, and `tracker` the target's tracker as read: the write commits only if neither
 * changed meanwhile (and the entry is still at `before.version`).
 */
export type TimeEntryWrite = {
  before: TimeEntry | undefined;
  after: TimeEntry | undefined;
  version: TimeEntryVersion;
  checked: readonly TimelineSlot[];
  tracker: { checked: boolean; seen: ActiveTracker | undefined };
  /** The days (workspace zone) of its old and new start: the write is refused while a submitted or approved timesheet locks one. */
  timesheetDays: readonly string[];
  /** The time request this entry is made from, as it becomes (approved), in the same transaction: only if it is still at `seenRevision`. */
  request?: { after: TimeRequest; seenRevision: number };
};

export interface TrackingRepository {
  loadContext(query: WorkspaceContextQuery): Promise<WorkspaceContext>;
  /**
   * Writes the tracker unless the user has one; never overwrites. Commits only if the
   * timeline slots read for the overlap rule are unchanged. When the write's outcome is
   * unknown, a read of the tracker decides (created if it is there with this `requestId`).
   */
  createActiveTracker(tracker: ActiveTracker, checked: readonly TimelineSlot[], timesheetDay: string): Promise<CreateTrackerResult>;
  /**
   * Atomically deletes exactly this tracker and records its entry (its first history
   * version and its spans); 'gone' when the tracker is no longer there (a concurrent stop won).
   * `operationId` is stored with the entry's first version: when the write's outcome is
   * unknown, a read of that version decides (it is 'stopped' if the version is this one's).
   */
  stopTracker(tracker: ActiveTracker, entry: TimeEntry, version: TimeEntryVersion, operationId: string, timesheetDay: string): Promise<'stopped' | 'gone'>;
  /** 'conflict' when what the write was checked against changed meanwhile, 'timesheet_locked' when a timesheet locks one of its days: nothing was written. */
  writeTimeEntry(write: TimeEntryWrite): Promise<'written' | 'conflict' | 'timesheet_locked'>;
  /**
   * The entries from `newest` down to `oldest` (both included, in the listed order: start,
   * then id), newest first, at most `limit` of them: one Query.
   */
  listTimeEntries(workspaceId: number, userId: number, page: { newest: EntryPosition; oldest: EntryPosition; limit: number }): Promise<TimeEntry[]>;
  /** Every tracker running in the workspace (its marks), longest running first: one Query. */
  listActiveTrackers(workspaceId: number): Promise<ActiveTracker[]>;
  /** Writes the settings if they are still at `expectedVersion` (0: never written); 'conflict' otherwise. */
  writeWorkspaceSettings(settings: WorkspaceSettings, expectedVersion: number): Promise<'written' | 'conflict'>;
  /** Every version of an entry, newest first (kept after a delete); [] when it never was in this workspace. */
  timeEntryHistory(workspaceId: number, entryId: string, page: { cursor?: string; perPage: number }): Promise<{ versions: TimeEntryVersion[]; nextCursor: string | null }>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const TRACKING_REPOSITORY_ACCESS: PortAccess<TrackingRepository> = {
  loadContext: 'read',
  listTimeEntries: 'read',
  timeEntryHistory: 'read',
  listActiveTrackers: 'read',
  createActiveTracker: 'write',
  stopTracker: 'write',
  writeTimeEntry: 'write',
  writeWorkspaceSettings: 'write',
};
