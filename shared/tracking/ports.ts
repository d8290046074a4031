import type { ActiveTracker, Contract, Membership, Task } from './model.ts';

/** Everything check 5–8 of a start needs, read in one round trip. */
export type StartContext = {
  actor: Membership | undefined;
  target: Membership | undefined;
  contract: Contract | undefined;
  task: Task | undefined;
};

export type StartContextQuery = {
  workspaceId: number;
  actorUserId: number;
  targetUserId: number;
  contractId: number | null;
  taskId: number | null;
};

export type CreateTrackerResult = { created: true } | { created: false; existing: ActiveTracker };

export interface TrackingRepository {
  loadStartContext(query: StartContextQuery): Promise<StartContext>;
  /** Writes the tracker unless the user has one; never overwrites. */
  createActiveTracker(tracker: ActiveTracker): Promise<CreateTrackerResult>;
}
