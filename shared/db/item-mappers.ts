import type { ApiKeyRecord } from '../auth/api-keys.ts';
import { defaultWorkspaceSettings } from '../tracking/workspace-settings.ts';
import type { ActiveTracker, Contract, EntryChanges, Membership, ReportEntry, Span, StopReason, Task, TimeEntry, TimeEntryVersion, TimelineSlot, WorkspaceSettings } from '../tracking/model.ts';
import { epochSeconds } from '../tracking/timeline.ts';
import type { Rounding } from '../tracking/rounding.ts';
import { WEBHOOK_DISABLED_REASONS, type WebhookDisabledReason, type WebhookSubscription } from '../webhooks/model.ts';
import { apiKeyHashOf, keys } from './keys.ts';

/** Item ⇄ domain mappers. Items keep snake_case attributes, like the seed and the API. */
type Item = Record<string, unknown>;

export const nullableNumber = (value: unknown) => (typeof value === 'number' ? value : null);
export const nullableString = (value: unknown) => (typeof value === 'string' ? value : null);

export const membershipFromItem = (item: Item): Membership => ({
  workspaceId: Number(item.workspace_id),
  userId: Number(item.user_id),
  role: item.role as Membership['role'],
  status: item.status === 'active' ? 'active' : 'inactive',
});

export const contractFromItem = (item: Item): Contract => ({
  workspaceId: Number(item.workspace_id),
  contractId: Number(item.contract_id),
  userId: Number(item.user_id),
  projectId: Number(item.project_id),
  status: item.status === 'active' ? 'active' : 'paused',
});

export const taskFromItem = (item: Item): Task => ({
  workspaceId: Number(item.workspace_id),
  taskId: Number(item.task_id),
  projectId: Number(item.project_id),
  title: nullableString(item.title),
  status: item.status === 'closed' ? 'closed' : 'open',
});

export const trackerToItem = (tracker: ActiveTracker): Item => ({
  ...keys.activeTracker(tracker.userId),
  entity: 'tracker',
  tracker_id: tracker.trackerId,
  workspace_id: tracker.workspaceId,
  user_id: tracker.userId,
  contract_id: tracker.contractId,
  project_id: tracker.projectId,
  task_id: tracker.taskId,
  activity_description: tracker.activityDescription,
  start_time: tracker.startTime,
  started_by: tracker.startedBy,
  task_title: tracker.taskTitle,
  request_id: tracker.requestId,
  // Left out without a limit: the auto-stop schedules' stream filter selects trackers that have it.
  ...(tracker.autoStopAt ? { auto_stop_at: tracker.autoStopAt } : {}),
});

/** The tracker's mark in its workspace: the same attributes, under the workspace's key. */
export const activeMarkToItem = (tracker: ActiveTracker): Item => {
  const { pk: _pk, sk: _sk, ...attributes } = trackerToItem(tracker);
  return { ...keys.workspaceActiveTracker(tracker.workspaceId, tracker.userId), ...attributes, entity: 'active_mark' };
};

export const trackerFromItem = (item: Item): ActiveTracker => ({
  trackerId: String(item.tracker_id),
  workspaceId: Number(item.workspace_id),
  userId: Number(item.user_id),
  contractId: nullableNumber(item.contract_id),
  projectId: nullableNumber(item.project_id),
  taskId: nullableNumber(item.task_id),
  activityDescription: nullableString(item.activity_description),
  startTime: String(item.start_time),
  startedBy: Number(item.started_by),
  taskTitle: nullableString(item.task_title),
  requestId: String(item.request_id),
  autoStopAt: nullableString(item.auto_stop_at),
});

/** A number set in DynamoDB; absent (no archived project) is empty. */
export const archivedProjectsFromItem = (item: Item | undefined): ReadonlySet<number> => new Set([...((item?.project_ids as Set<number> | undefined) ?? [])].map(Number));

export const workspaceSettingsToItem = (settings: WorkspaceSettings): Item => ({
  ...keys.workspaceSettings(settings.workspaceId),
  entity: 'workspace_settings',
  workspace_id: settings.workspaceId,
  max_tracker_duration_minutes: settings.maxTrackerDurationMinutes,
  time_zone: settings.timeZone,
  rounding: settings.rounding,
  week_start: settings.weekStart,
  timesheet_period: settings.timesheetPeriod,
  lock_before: settings.lockBefore,
  auto_lock_after_days: settings.autoLockAfterDays,
  version: settings.version,
  updated_at: settings.updatedAt,
  updated_by: settings.updatedBy,
});

const roundingFromItem = (value: unknown): Rounding | null => {
  if (typeof value !== 'object' || value === null) return null;
  const { minutes, mode } = value as { minutes: unknown; mode: unknown };
  return { minutes: Number(minutes) as Rounding['minutes'], mode: mode as Rounding['mode'] };
};

export const workspaceSettingsFromItem = (workspaceId: number, item: Item | undefined): WorkspaceSettings =>
  item
    ? {
        workspaceId,
        maxTrackerDurationMinutes: nullableNumber(item.max_tracker_duration_minutes),
        timeZone: String(item.time_zone),
        rounding: roundingFromItem(item.rounding),
        weekStart: item.week_start === 'sunday' ? 'sunday' : 'monday',
        timesheetPeriod: item.timesheet_period === 'month' ? 'month' : 'week',
        lockBefore: nullableString(item.lock_before),
        autoLockAfterDays: nullableNumber(item.auto_lock_after_days),
        version: Number(item.version),
        updatedAt: nullableString(item.updated_at),
        updatedBy: nullableNumber(item.updated_by),
      }
    : defaultWorkspaceSettings(workspaceId);

/** An entry's attributes, the same in its listed copy, its by-id copy and its history. */
const timeEntryAttributes = (entry: TimeEntry): Item => ({
  entry_id: entry.entryId,
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
  ...(entry.locked ? { locked: true } : {}),
  stop_reason: entry.stopReason,
  stopped_by: entry.stoppedBy,
  created_by: entry.createdBy,
  created_at: entry.createdAt,
  updated_by: entry.updatedBy,
  updated_at: entry.updatedAt,
  version: entry.version,
});

/** The listed copy: keyed by member and start, what the date queries read. */
export const timeEntryToItem = (entry: TimeEntry): Item => ({
  ...keys.timeEntry(entry.workspaceId, entry.userId, entry.startTime, entry.entryId),
  entity: 'time_entry',
  ...timeEntryAttributes(entry),
});

/** The by-id copy: what GET, PATCH and DELETE by id read. */
export const timeEntryByIdToItem = (entry: TimeEntry): Item => ({
  ...keys.timeEntryById(entry.entryId),
  entity: 'time_entry_by_id',
  ...timeEntryAttributes(entry),
});

/**
 * Entries recorded before entries had versions read as their first version, stopped by
 * `stopped_by`; a stopped tracker's entry from before limits existed was stopped by hand.
 */
export const timeEntryFromItem = (item: Item): TimeEntry => {
  const createdBy = Number(item.created_by ?? item.stopped_by);
  const createdAt = String(item.created_at ?? item.end_time);
  const source = item.source === 'manual' ? 'manual' : item.source === 'request' ? 'request' : 'tracker';
  const byHand = source !== 'tracker';
  return {
    entryId: String(item.entry_id),
    workspaceId: Number(item.workspace_id),
    userId: Number(item.user_id),
    contractId: nullableNumber(item.contract_id),
    projectId: nullableNumber(item.project_id),
    taskId: nullableNumber(item.task_id),
    activityDescription: nullableString(item.activity_description),
    startTime: String(item.start_time),
    endTime: String(item.end_time),
    durationSeconds: Number(item.duration_seconds),
    source,
    stopReason: byHand ? null : item.stop_reason === 'max_duration' ? 'max_duration' : ('manual' satisfies StopReason),
    stoppedBy: byHand ? null : item.stop_reason === 'max_duration' ? null : Number(item.stopped_by ?? createdBy),
    ...(source === 'request' ? { approvedBy: Number(item.approved_by) } : {}),
    ...(item.locked === true ? { locked: true as const } : {}),
    createdBy,
    createdAt,
    updatedBy: Number(item.updated_by ?? createdBy),
    updatedAt: String(item.updated_at ?? createdAt),
    version: Number(item.version ?? 1),
  };
};

export const timeEntryVersionToItem = (version: TimeEntryVersion): Item => ({
  ...keys.timeEntryVersion(version.entryId, version.version),
  ...keys.changeFeedAttributes(version.workspaceId, version.at, 'time_entry', version.entryId, version.version),
  entity: 'time_entry_version',
  entry_id: version.entryId,
  workspace_id: version.workspaceId,
  user_id: version.userId,
  version: version.version,
  action: version.action,
  at: version.at,
  by: version.by,
  // Top level so that the stream filter can tell a stopped tracker's entry from one added by hand.
  source: version.entry.source,
  // An empty map is left out: DynamoDB Local's stream shows `{}` as a value no reader can unmarshall.
  ...(Object.keys(version.changes).length > 0 ? { changes: version.changes } : {}),
  entry: timeEntryAttributes(version.entry),
});

export const timeEntryVersionFromItem = (item: Item): TimeEntryVersion => ({
  entryId: String(item.entry_id),
  workspaceId: Number(item.workspace_id),
  userId: Number(item.user_id),
  version: Number(item.version),
  action: item.action === 'deleted' ? 'deleted' : item.action === 'updated' ? 'updated' : 'created',
  at: String(item.at),
  by: nullableNumber(item.by),
  changes: (item.changes ?? {}) as EntryChanges,
  entry: timeEntryFromItem((item.entry ?? {}) as Item),
});

/** A span is stored as one attribute per entry of the slot's item: `span_<entry id>` = [start, end] (epoch seconds). */
export const SPAN_ATTRIBUTE_PREFIX = 'span_';
export const spanAttribute = (entryId: string) => `${SPAN_ATTRIBUTE_PREFIX}${entryId}`;

export const timelineSlotFromItem = (slot: string, item: Item | undefined): TimelineSlot => ({
  slot,
  version: item ? Number(item.version ?? 0) : undefined,
  spans: Object.entries(item ?? {}).flatMap(([name, value]): Span[] =>
    name.startsWith(SPAN_ATTRIBUTE_PREFIX) && Array.isArray(value) ? [{ entryId: name.slice(SPAN_ATTRIBUTE_PREFIX.length), start: Number(value[0]), end: Number(value[1]) }] : [],
  ),
});

export const apiKeyToItem = (record: ApiKeyRecord): Item => ({
  ...keys.apiKey(record.hash),
  entity: 'api_key',
  key_id: record.keyId,
  user_id: record.userId,
  name: record.name,
  scopes: record.scopes,
  display_prefix: record.displayPrefix,
  created_at: record.createdAt,
  ...(record.revokedAt === null ? {} : { revoked_at: record.revokedAt }),
  ...(record.expiresAt === null ? {} : { expires_at: record.expiresAt }),
});

/**
 * Fails closed: an API key item that does not read exactly as one (a revocation or expiry
 * that is not a valid timestamp, a user id that is no id, …) is undefined, and refused.
 * Absent `revoked_at` / `expires_at` mean "not revoked" / "never expires".
 */
export function apiKeyFromItem(item: Item): ApiKeyRecord | undefined {
  const optionalTimestamp = (value: unknown): string | null | false => (value === undefined || value === null ? null : typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : false);
  const revokedAt = optionalTimestamp(item.revoked_at);
  const expiresAt = optionalTimestamp(item.expires_at);
  const hash = apiKeyHashOf(String(item.pk));
  if (
    revokedAt === false ||
    expiresAt === false ||
    !/^[0-9a-f]{64}$/.test(hash) ||
    typeof item.key_id !== 'string' ||
    typeof item.user_id !== 'number' ||
    !Number.isSafeInteger(item.user_id) ||
    item.user_id < 1 ||
    !Array.isArray(item.scopes) ||
    !item.scopes.every((scope) => typeof scope === 'string')
  ) {
    return undefined;
  }
  return {
    keyId: item.key_id,
    hash,
    userId: item.user_id,
    name: String(item.name ?? ''),
    scopes: item.scopes as string[],
    displayPrefix: String(item.display_prefix ?? ''),
    createdAt: String(item.created_at ?? ''),
    revokedAt,
    expiresAt,
  };
}

export const webhookToItem = (subscription: WebhookSubscription): Item => ({
  ...keys.webhook(subscription.workspaceId, subscription.id),
  entity: 'webhook',
  webhook_id: subscription.id,
  workspace_id: subscription.workspaceId,
  url: subscription.url,
  events: subscription.events,
  description: subscription.description,
  secret: subscription.sealedSecret,
  previous_secret: subscription.sealedPreviousSecret,
  previous_secret_until: subscription.previousSecretUntil,
  created_at: subscription.createdAt,
  created_by: subscription.createdBy,
  // Absent, not null, while nothing fails: the failing record keeps its first failure with if_not_exists.
  ...(subscription.failingSince ? { failing_since: subscription.failingSince } : {}),
  status: subscription.status,
  disabled_reason: subscription.disabledReason,
});

export const webhookFromItem = (item: Item): WebhookSubscription => ({
  id: String(item.webhook_id),
  workspaceId: Number(item.workspace_id),
  url: String(item.url),
  events: (Array.isArray(item.events) ? item.events : []) as WebhookSubscription['events'],
  description: nullableString(item.description),
  sealedSecret: String(item.secret),
  sealedPreviousSecret: nullableString(item.previous_secret),
  previousSecretUntil: nullableString(item.previous_secret_until),
  createdAt: String(item.created_at),
  createdBy: typeof item.created_by === 'number' ? item.created_by : null,
  failingSince: nullableString(item.failing_since),
  // Webhooks stored before they could be disabled are enabled.
  status: item.status === 'disabled' ? 'disabled' : 'enabled',
  disabledReason: item.status === 'disabled' ? ((WEBHOOK_DISABLED_REASONS as readonly unknown[]).includes(item.disabled_reason) ? (item.disabled_reason as WebhookDisabledReason) : 'requested') : null,
});

/** A month's per-day entry counts: `d_<DD>` = entries of the member starting that UTC day. */
export const dayCountAttribute = (date: string) => `d_${date.slice(8, 10)}`;

export const dayCountsFromItem = (month: string, item: Item | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(item ?? {}).flatMap(([name, value]) => (/^d_\d{2}$/.test(name) && typeof value === 'number' ? [[`${month}-${name.slice(2)}`, value]] : [])));

/** A user's mark of a membership (USER#<user> / MEMBER#<ws>): kept with the membership, in its writes. */
export const userMembershipToItem = (workspaceId: number, userId: number): Item => ({
  ...keys.userMembership(userId, workspaceId),
  entity: 'user_membership',
  workspace_id: workspaceId,
  user_id: userId,
});

/**
 * An entry in its member's report month: `e_<entry id>` = "start,end,contract,project,task"
 * (epoch seconds; an empty field: none). Text, not a list of numbers: a month of a thousand
 * members is read whole by every report, and DynamoDB's JSON of a five-number list is three
 * times the bytes to send and to unmarshall.
 */
export const reportEntryAttribute = (entryId: string) => `e_${entryId}`;
export const reportEntryValue = (entry: TimeEntry) => `${epochSeconds(entry.startTime)},${epochSeconds(entry.endTime)},${entry.contractId ?? ''},${entry.projectId ?? ''},${entry.taskId ?? ''}`;

const idOrNull = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text));

/** The entries of one member's report month item, as the reports compute from them. */
export function reportEntriesFromItem(item: Item): ReportEntry[] {
  const userId = Number(item.user_id);
  const entries: ReportEntry[] = [];
  for (const attribute in item) {
    if (!attribute.startsWith('e_')) continue;
    const [start, end, contractId, projectId, taskId] = String(item[attribute]).split(',');
    entries.push({ entryId: attribute.slice(2), userId, start: Number(start), end: Number(end), contractId: idOrNull(contractId), projectId: idOrNull(projectId), taskId: idOrNull(taskId) });
  }
  return entries;
}

/** A day's attributes on its member's timesheet month (keys.timesheetMonth): entry writes to it, and the timesheets locking it. */
export const dayWritesAttribute = (date: string) => `w_${date.slice(8, 10)}`;
export const dayLocksAttribute = (date: string) => `l_${date.slice(8, 10)}`;
