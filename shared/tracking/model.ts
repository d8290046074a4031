import type { Rounding } from './rounding.ts';

/** The domain of time tracking, free of HTTP, Lambda and DynamoDB types. */
export const ROLES = ['owner', 'executive_manager', 'team_manager', 'project_manager', 'regular_user', 'project_viewer'] as const;
export type Role = (typeof ROLES)[number];

export type Membership = {
  workspaceId: number;
  userId: number;
  role: Role;
  status: 'active' | 'inactive';
};

export type Contract = {
  workspaceId: number;
  contractId: number;
  userId: number;
  projectId: number;
  status: 'active' | 'paused';
};

export type Task = {
  workspaceId: number;
  taskId: number;
  projectId: number;
  title: string | null;
  /** A closed task takes no more time (no tracker, no entry). */
  status: 'open' | 'closed';
};

export type ActiveTracker = {
  trackerId: string;
  workspaceId: number;
  userId: number;
  contractId: number | null;
  projectId: number | null;
  taskId: number | null;
  activityDescription: string | null;
  /** API timestamp (second precision, +00:00). */
  startTime: string;
  startedBy: number;
  /** The task's title when the tracker started (current-data shows it without another read). */
  taskTitle: string | null;
  /** The request that created it: tells a retried write of ours from a real conflict. */
  requestId: string;
  /**
   * When it stops itself (API timestamp): start + the workspace's limit in force when it
   * started, fixed then (a later change of the limit does not move it); null without a limit.
   */
  autoStopAt: string | null;
};

/** Why a tracker's entry ended: stopped by someone, or by the workspace's limit on a tracker's duration. */
export const STOP_REASONS = ['manual', 'max_duration'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** A workspace's own settings (docs/contract.md "Workspace settings"). */
export type WorkspaceSettings = {
  workspaceId: number;
  /** Trackers started while it is set stop themselves after this many minutes (1..1440); null: no limit. */
  maxTrackerDurationMinutes: number | null;
  /** The IANA zone date queries use when they name none. */
  timeZone: string;
  /** How reports round each entry's duration; null: exact seconds. */
  rounding: Rounding | null;
  /** The first day of a week in the reports (and of a timesheet week). */
  weekStart: WeekStart;
  /** How long a timesheet is: a week (from `weekStart`) or a calendar month (docs/timesheets.md). */
  timesheetPeriod: TimesheetPeriod;
  /** Entries starting before this day (workspace zone) are locked; null: none. */
  lockBefore: string | null;
  /** Days older than this many days are locked, rolling with the clock; null: none. */
  autoLockAfterDays: number | null;
  /** 0 while never changed; +1 per change (what a concurrent change is told apart by). */
  version: number;
  updatedAt: string | null;
  updatedBy: number | null;
};

export const MAX_TRACKER_DURATION_MINUTES = 1440;

export const WEEK_STARTS = ['monday', 'sunday'] as const;
export const TIMESHEET_PERIODS = ['week', 'month'] as const;
export type TimesheetPeriod = (typeof TIMESHEET_PERIODS)[number];
export type WeekStart = (typeof WEEK_STARTS)[number];

export const ENTRY_SOURCES = ['tracker', 'manual', 'request'] as const;
export type EntrySource = (typeof ENTRY_SOURCES)[number];

export type TimeEntry = {
  entryId: string;
  workspaceId: number;
  userId: number;
  contractId: number | null;
  projectId: number | null;
  taskId: number | null;
  activityDescription: string | null;
  /** API timestamps (second precision, +00:00). */
  startTime: string;
  endTime: string;
  durationSeconds: number;
  /** A stopped tracker, added by hand, or an approved time request (docs/time-requests.md). */
  source: EntrySource;
  /** Who approved the time request it was made from (only for `source: 'request'`). */
  approvedBy?: number;
  /** A stop recorded it into a locked day (lock dates): kept, but read-only from the start (docs/contract.md). */
  locked?: true;
  /** A stopped tracker's: why it ended; null for an entry added by hand. */
  stopReason: StopReason | null;
  /** Who stopped the tracker; null when its limit did (and for an entry added by hand). */
  stoppedBy: number | null;
  createdBy: number;
  createdAt: string;
  updatedBy: number;
  updatedAt: string;
  /** 1 when recorded, +1 per change: the ETag, and what If-Match names. */
  version: number;
};

/** The fields of an entry its history records, as the API names them. */
export const HISTORY_FIELDS = ['start_time', 'end_time', 'duration_seconds', 'contract_id', 'project_id', 'task_id', 'activity_description'] as const;
export type HistoryField = (typeof HISTORY_FIELDS)[number];
export type EntryChanges = Partial<Record<HistoryField, [unknown, unknown]>>;

/** One version of an entry's history: kept after the entry is deleted. */
export type TimeEntryVersion = {
  entryId: string;
  workspaceId: number;
  userId: number;
  version: number;
  action: 'created' | 'updated' | 'deleted';
  at: string;
  /** Who made the change; null when the service did (a tracker stopped by its limit). */
  by: number | null;
  changes: EntryChanges;
  /** The entry after this version (as it was, for `deleted`). */
  entry: TimeEntry;
};

/** An entry as the reports compute from it (its member's report month): interval in epoch seconds and what it was for. */
export type ReportEntry = { entryId: string; userId: number; start: number; end: number; contractId: number | null; projectId: number | null; taskId: number | null };

/** What a summary report groups by (docs/reports.md). */
export const SUMMARY_DIMENSIONS = ['user', 'project', 'contract', 'task', 'day', 'week', 'month'] as const;
export type Dimension = (typeof SUMMARY_DIMENSIONS)[number];

/** One interval of a member's timeline, in epoch seconds: what the overlap rule compares. */
export type Span = { entryId: string; start: number; end: number };

/**
 * The spans stored on one timeline item (one UTC day, or the item of entries over 24 h),
 * and its version: a write that checked them commits only if it is unchanged.
 */
export type TimelineSlot = { slot: string; version: number | undefined; spans: Span[] };

/** Manual time a member asks for (docs/time-requests.md). */
export const TIME_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type TimeRequestStatus = (typeof TIME_REQUEST_STATUSES)[number];

export type TimeRequest = {
  /** `<user_id>_<uuid>`: it names its requester first. */
  id: string;
  workspaceId: number;
  userId: number;
  startTime: string;
  endTime: string;
  durationSeconds: number;
  contractId: number | null;
  projectId: number | null;
  taskId: number | null;
  note: string | null;
  status: TimeRequestStatus;
  /** +1 per change: what a concurrent decision is told apart by. */
  revision: number;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: number | null;
  comment: string | null;
  timeEntryId: string | null;
};
