import type { ActiveTracker, Contract, Membership, Task, TimeEntry } from './model.ts';

/** Everything the checks of a request need, read in one round trip (one BatchGetItem). */
export type WorkspaceContext = {
  actor: Membership | undefined;
  target: Membership | undefined;
  contract: Contract | undefined;
  task: Task | undefined;
  /** The target user's active tracker, in whatever workspace (only when asked for). */
  tracker: ActiveTracker | undefined;
};

export type WorkspaceContextQuery = {
  workspaceId: number;
  actorUserId: number;
  targetUserId: number;
  contractId?: number | null;
  taskId?: number | null;
  withTracker?: boolean;
};

export type CreateTrackerResult = { created: true } | { created: false; existing: ActiveTracker };

export interface TrackingRepository {
  loadContext(query: WorkspaceContextQuery): Promise<WorkspaceContext>;
  /** Writes the tracker unless the user has one; never overwrites. */
  createActiveTracker(tracker: ActiveTracker): Promise<CreateTrackerResult>;
  /**
   * Atomically deletes exactly this tracker and records its entry; 'gone' when the tracker
   * is no longer there (a concurrent stop won).
   */
  stopTracker(tracker: ActiveTracker, entry: TimeEntry): Promise<'stopped' | 'gone'>;
  /** Completed entries that started on `date` (YYYY-MM-DD, UTC), newest first. */
  listTimeEntries(workspaceId: number, userId: number, date: string): Promise<TimeEntry[]>;
}
