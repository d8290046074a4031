import type { ActiveTracker, TimeEntry } from './model.ts';

/** The API's view of a tracker: the fields the contract names, in snake_case. */
export function trackerView(tracker: ActiveTracker) {
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

/** The API's view of a completed time entry. */
export function timeEntryView(entry: TimeEntry) {
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
