import type { RouteData } from './route-types.ts';
import type { CurrentTracker } from '../tracking/current-tracker.ts';
import type { ActiveTracker, TimeEntry } from '../tracking/model.ts';
import type { WebhookSubscription } from '../webhooks/model.ts';

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
  };
}

export function currentTrackerView(current: CurrentTracker, query: { workspace_id: number; user_id: number }): RouteData<'currentTracker'> {
  if (!current) return { is_tracking: false, workspace_id: query.workspace_id, user_id: query.user_id };
  return { is_tracking: true, ...trackerView(current.tracker), total_seconds: current.totalSeconds };
}

export function timeEntryView(entry: TimeEntry): RouteData<'listTimeEntries'>[number] {
  return {
    id: entry.entryId,
    user_id: entry.userId,
    contract_id: entry.contractId,
    project_id: entry.projectId,
    task_id: entry.taskId,
    activity_description: entry.activityDescription,
    start_time: entry.startTime,
    end_time: entry.endTime,
    duration_seconds: entry.durationSeconds,
  };
}

/** A stop answers with the entry it recorded, named from the tracker's point of view. */
export function stoppedTrackerView(entry: TimeEntry): RouteData<'stopTimeTracking'> {
  const { id, end_time, ...rest } = timeEntryView(entry);
  return { stopped_at: end_time, time_entry_id: id, ...rest };
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
  };
}

export function createdWebhookView(subscription: WebhookSubscription): RouteData<'createWebhook'> {
  return { ...webhookView(subscription), secret: subscription.secret };
}
