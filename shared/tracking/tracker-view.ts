import type { ActiveTracker } from './model.ts';

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
