import type { RouteData } from './route-types.ts';
import type { CurrentTracker } from '../tracking/current-tracker.ts';
import type { ActiveTracker, TimeEntry, TimeEntryVersion, TimeRequest, WorkspaceSettings } from '../tracking/model.ts';
import type { DaySummary } from '../tracking/list-time-entries.ts';
import type { RunningTracker } from '../tracking/active-trackers.ts';
import type { DeliveryAttempt, StoredMessage, WebhookSubscription } from '../webhooks/model.ts';
import type { DirectoryRecord } from '../tracking/directory.ts';
import type { ApiKeyRecord } from '../auth/api-keys.ts';
import { statusOf, type Invitation } from '../tracking/invitations.ts';
import { rateHistoryFromText, rateOn } from '../tracking/rates.ts';
import type { Change } from '../tracking/change-feed.ts';
import type { Timesheet } from '../tracking/timesheets.ts';

/**
 * Domain records as the API shows them: snake_case, only the fields the contract names,
 * typed by the routes' response schemas (so a field cannot drift from the OpenAPI document).
 */
export function trackerView(tracker: ActiveTracker): RouteData<'startTimeTracking'> {
  return {
    start_time: tracker.startTime,
    workspace_id: tracker.workspaceId,
    user_id: tracker.userId,
    contract_id: tracker.contractId,
    project_id: tracker.projectId,
    task_id: tracker.taskId,
    activity_description: tracker.activityDescription,
    auto_stop_at: tracker.autoStopAt,
  };
}

export function currentTrackerView(current: CurrentTracker, query: { workspace_id: number; user_id: number }): RouteData<'currentTracker'> {
  const today = { date: current.date, total_minutes: current.totalMinutes };
  if (!current.tracker) return { is_tracking: false, workspace_id: query.workspace_id, user_id: query.user_id, ...today };
  return { is_tracking: true, ...trackerView(current.tracker), task_title: current.tracker.taskTitle, total_seconds: current.totalSeconds, ...today };
}

/** A tracker of who is clocked in: current-data's fields for it. */
export function activeTrackerView(running: RunningTracker): RouteData<'activeTrackers'>[number] {
  return { is_tracking: true, ...trackerView(running.tracker), task_title: running.tracker.taskTitle, total_seconds: running.totalSeconds };
}

export function timeEntryView(entry: TimeEntry): RouteData<'getTimeEntry'> {
  return {
    id: entry.entryId,
    workspace_id: entry.workspaceId,
    user_id: entry.userId,
    contract_id: entry.contractId,
    project_id: entry.projectId,
    task_id: entry.taskId,
    activity_description: entry.activityDescription,
    start_time: entry.startTime,
    end_time: entry.endTime,
    duration_seconds: entry.durationSeconds,
    source: entry.source,
    ...(entry.approvedBy === undefined ? {} : { approved_by: entry.approvedBy }),
    ...(entry.locked ? { locked: true as const } : {}),
    stop_reason: entry.stopReason,
    stopped_by: entry.stoppedBy,
    created_by: entry.createdBy,
    created_at: entry.createdAt,
    updated_by: entry.updatedBy,
    updated_at: entry.updatedAt,
    version: entry.version,
  };
}

/** The ETag of a single-entry answer: its version, quoted. */
export const entityTag = (entry: TimeEntry) => `"${entry.version}"`;

/** A stop answers with the entry it recorded, named from the tracker's point of view (without what only an entry has). */
/** A stopped tracker's entry as the stop answers it (and its webhook event carries it), without the answer's `locked`. */
export function stoppedTrackerView(entry: TimeEntry): Omit<RouteData<'stopTimeTracking'>, 'locked'> {
  const {
    id,
    end_time,
    workspace_id: _workspace,
    source: _source,
    created_by: _createdBy,
    created_at: _createdAt,
    updated_by: _updatedBy,
    updated_at: _updatedAt,
    version: _version,
    // The stop's answer says `locked` itself (true or false); its event does not.
    locked: _locked,
    ...work
  } = timeEntryView(entry);
  return { stopped_at: end_time, time_entry_id: id, ...work, stop_reason: entry.stopReason ?? 'manual' };
}

export function timeEntryVersionView(version: TimeEntryVersion): RouteData<'timeEntryHistory'>[number] {
  return { version: version.version, action: version.action, at: version.at, by: version.by, changes: version.changes as Record<string, [string | number | null, string | number | null]> };
}

export function workspaceSettingsView(settings: WorkspaceSettings): RouteData<'getWorkspaceSettings'> {
  return {
    workspace_id: settings.workspaceId,
    max_tracker_duration_minutes: settings.maxTrackerDurationMinutes,
    time_zone: settings.timeZone,
    rounding: settings.rounding,
    week_start: settings.weekStart,
    timesheet_period: settings.timesheetPeriod,
    lock_before: settings.lockBefore,
    auto_lock_after_days: settings.autoLockAfterDays,
    updated_at: settings.updatedAt,
    updated_by: settings.updatedBy,
  };
}

export function timeEntrySummaryView(summary: { days: DaySummary[]; totalSeconds: number }): RouteData<'timeEntrySummary'> {
  return { days: summary.days.map((day) => ({ date: day.date, total_seconds: day.totalSeconds, entries: day.entries })), total_seconds: summary.totalSeconds };
}

/** A webhook as the API shows it; its secret only when just created. */
export function webhookView(subscription: WebhookSubscription): RouteData<'listWebhooks'>[number] {
  return {
    id: subscription.id,
    workspace_id: subscription.workspaceId,
    url: subscription.url,
    events: subscription.events,
    description: subscription.description,
    created_at: subscription.createdAt,
    status: subscription.status,
    disabled_reason: subscription.disabledReason,
  };
}

export function createdWebhookView(subscription: WebhookSubscription, secret: string): RouteData<'createWebhook'> {
  return { ...webhookView(subscription), secret };
}

/** Just rotated: the new secret, and until when the old one still signs. */
export function rotatedWebhookView(subscription: WebhookSubscription, secret: string): RouteData<'rotateWebhookSecret'> {
  return { ...webhookView(subscription), secret, previous_secret_expires_at: subscription.previousSecretUntil! };
}

export function deliveryAttemptView(attempt: DeliveryAttempt): RouteData<'listWebhookDeliveries'>[number] {
  return {
    id: attempt.id,
    message_id: attempt.messageId,
    event_type: attempt.type,
    attempt: attempt.attempt,
    status_code: attempt.statusCode,
    error: attempt.error,
    duration_ms: attempt.durationMs,
    at: attempt.at,
    next_attempt_at: attempt.nextAttemptAt,
  };
}

export const queuedMessageView = (message: StoredMessage): RouteData<'redeliverWebhookMessage'> => ({ webhook_id: message.subscriptionId, message_id: message.messageId, event_type: message.type });

const writeView = (record: DirectoryRecord) => ({ version: record.sourceVersion, updated_at: record.updatedAt, updated_by: record.updatedBy });
const idFieldOf = { workspace: 'workspace_id', member: 'user_id', project: 'project_id', contract: 'contract_id', task: 'task_id' } as const;

/**
 * A directory record as the API shows it: its workspace, its id under its own name, its
 * fields, and the last write. (A workspace's own id is its workspace_id.)
 */
export function directoryRecordView(record: DirectoryRecord) {
  return { workspace_id: record.workspaceId, [idFieldOf[record.kind]]: record.id, ...record.fields, ...writeView(record) };
}

export const memberView = (record: DirectoryRecord) => directoryRecordView(record) as RouteData<'putMember'>;
export const projectView = (record: DirectoryRecord) => directoryRecordView(record) as RouteData<'putProject'>;
/** A contract: its rate history as periods, and the rate of today's (UTC) period. */
export function contractView(record: DirectoryRecord, today = new Date().toISOString().slice(0, 10)): RouteData<'putContract'> {
  const { rate_history: historyText, ...fields } = record.fields;
  const history = rateHistoryFromText(historyText);
  return {
    ...(directoryRecordView({ ...record, fields }) as Omit<RouteData<'putContract'>, 'hourly_rate' | 'rate_history'>),
    hourly_rate: rateOn(history, today),
    rate_history: history.map((period) => ({ from: period.from, hourly_rate: period.hourlyRate })),
  };
}
export const taskView = (record: DirectoryRecord) => directoryRecordView(record) as RouteData<'putTask'>;
export const workspaceView = (record: DirectoryRecord) => directoryRecordView(record) as RouteData<'putWorkspace'>;

const recordViews = { workspace: workspaceView, member: memberView, project: projectView, contract: (record: DirectoryRecord) => contractView(record), task: taskView } as const;

/** One change of the feed: the entry or record after it, as its own route answers it (null: a tombstone). */
export function changeView(change: Change & { cursor: string }): RouteData<'listChanges'>[number] {
  const head = { cursor: change.cursor, type: change.type, action: change.action, id: change.id, at: change.at, by: change.by };
  if (change.type === 'time_entry') return { ...head, version: change.version, record: change.entry ? timeEntryView(change.entry) : null };
  if (change.type === 'timesheet') return { ...head, revision: change.revision, record: timesheetView(change.timesheet, change.workspaceId) };
  return { ...head, revision: change.revision, record: change.record ? recordViews[change.record.kind](change.record) : null };
}

/** A timesheet as its routes answer it (the approved figures once approved). */
export function timesheetView(timesheet: Timesheet, workspaceId: number): RouteData<'submitTimesheet'> {
  const { record, figures } = timesheet;
  return {
    id: timesheet.id,
    workspace_id: workspaceId,
    user_id: timesheet.userId,
    period_start: timesheet.period.start,
    period_end: timesheet.period.end,
    status: record.status,
    version: timesheet.version,
    total_seconds: figures.totalSeconds,
    billable_seconds: figures.billableSeconds,
    amounts: figures.amounts,
    days: figures.days,
    submitted_at: record.submittedAt,
    submitted_by: record.submittedBy,
    decided_at: record.decidedAt,
    decided_by: record.decidedBy,
    reason: record.reason,
  };
}

/** A time request as its routes answer it. */
export function timeRequestView(request: TimeRequest): RouteData<'createTimeRequest'> {
  return {
    id: request.id,
    workspace_id: request.workspaceId,
    user_id: request.userId,
    start_time: request.startTime,
    end_time: request.endTime,
    duration_seconds: request.durationSeconds,
    contract_id: request.contractId,
    project_id: request.projectId,
    task_id: request.taskId,
    note: request.note,
    status: request.status,
    created_at: request.createdAt,
    decided_at: request.decidedAt,
    decided_by: request.decidedBy,
    comment: request.comment,
    time_entry_id: request.timeEntryId,
  };
}

/** The ETag of a timesheet's answer: its version, quoted. */
export const timesheetTag = (timesheet: Timesheet) => `"${timesheet.version}"`;

/** The ETag of a directory record's answer: its revision, quoted. */
export const recordTag = (record: DirectoryRecord) => `"${record.revision}"`;

/** A personal access token without its secret. */
export function apiKeyView(record: ApiKeyRecord): RouteData<'listApiKeys'>[number] {
  return { id: record.keyId, name: record.name, scopes: record.scopes as RouteData<'listApiKeys'>[number]['scopes'], created_at: record.createdAt, expires_at: record.expiresAt };
}

/** An invitation as every invitation route answers it: a pending one past its time shows `expired`. */
export const invitationView = (invitation: Invitation, now: Date): RouteData<'createInvitation'> => ({
  id: invitation.id,
  workspace_id: invitation.workspaceId,
  user_id: invitation.userId,
  role: invitation.role,
  status: statusOf(invitation, now),
  invited_by: invitation.invitedBy,
  created_at: invitation.createdAt,
  expires_at: invitation.expiresAt,
  decided_at: invitation.decidedAt,
});
