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
  /** The request that created it: tells a retried write of ours from a real conflict. */
  requestId: string;
};

export type TimeEntry = {
  entryId: string;
  workspaceId: number;
  userId: number;
  contractId: number | null;
  projectId: number | null;
  taskId: number | null;
  activityDescription: string | null;
  startTime: string;
  endTime: string;
  durationSeconds: number;
  stoppedBy: number;
};
