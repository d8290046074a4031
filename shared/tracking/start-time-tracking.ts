import { NotFoundError, TrackerAlreadyActiveError, ValidationError, type FieldErrors } from '../errors.ts';
import { assertActiveMember, assertManagesWorkspace, canTrackTime } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository, WorkspaceContext } from './ports.ts';

export type StartTimeTrackingCommand = {
  workspaceId: number;
  userId: number;
  contractId: number | null;
  taskId: number | null;
  activityDescription: string | null;
};

export type StartTimeTrackingDeps = {
  repository: TrackingRepository;
  now: Date;
  newId: () => string;
  /** Identifies this request across SDK retries of the same write. */
  requestId: string;
};

/**
 * Clocks a workspace member in (docs/contract.md: checks 5–9 in order; 1–4 happen before).
 * Costs exactly two DynamoDB round trips: one batch read and one conditional write.
 */
export async function startTimeTracking(
  actorUserId: number,
  command: StartTimeTrackingCommand,
  deps: StartTimeTrackingDeps,
): Promise<ActiveTracker> {
  const context = await deps.repository.loadContext({
    workspaceId: command.workspaceId,
    actorUserId,
    targetUserId: command.userId,
    contractId: command.contractId,
    taskId: command.taskId,
  });
  assertManagesWorkspace(context.actor);
  assertActiveMember(context.target);
  assertReferencesExist(command, context);
  assertTrackable(command, context);

  const tracker: ActiveTracker = {
    trackerId: deps.newId(),
    workspaceId: command.workspaceId,
    userId: command.userId,
    contractId: command.contractId,
    projectId: context.contract?.projectId ?? null,
    taskId: command.taskId,
    activityDescription: command.activityDescription,
    startTime: toApiTimestamp(deps.now),
    startedBy: actorUserId,
    requestId: deps.requestId,
  };
  const result = await deps.repository.createActiveTracker(tracker);
  if (result.created) return tracker;
  // The SDK retried a write whose first answer was lost: the tracker is ours.
  if (result.existing.requestId === deps.requestId) return result.existing;
  throw new TrackerAlreadyActiveError();
}

/** Check 7: referenced records exist in this workspace. */
function assertReferencesExist(command: StartTimeTrackingCommand, context: WorkspaceContext) {
  if (command.contractId !== null && !context.contract) throw new NotFoundError('The selected contract was not found in this workspace.');
  if (command.taskId !== null && !context.task) throw new NotFoundError('The selected task was not found in this workspace.');
}

/** Check 8: the records fit together and the member may track time. */
function assertTrackable(command: StartTimeTrackingCommand, { target, contract, task }: WorkspaceContext) {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (target && !canTrackTime(target)) add('user_id', 'The selected user cannot track time in this workspace.');
  if (contract && contract.userId !== command.userId) add('contract_id', 'The selected contract does not belong to this user.');
  if (contract && contract.status !== 'active') add('contract_id', 'The selected contract is paused.');
  if (contract && task && task.projectId !== contract.projectId) {
    add('task_id', "The selected task does not belong to the contract's project.");
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
}
