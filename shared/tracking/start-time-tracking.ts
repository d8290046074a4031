import { DependencyUnavailableError, TimeEntryOverlapError, TimesheetLockedError, TrackerAlreadyActiveError } from '../errors.ts';
import { dateIn } from './time-zones.ts';
import { assertActiveMember, assertManagesWorkspace, assertWorkFits } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import type { ActiveTracker } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import { contentionPause, epochSeconds, overlapping, slotsToCheck, WRITE_ATTEMPTS } from './timeline.ts';
import { FUTURE_TOLERANCE_SECONDS } from './entry-rules.ts';

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
 * The timeline slots a start at `from` (epoch seconds) checks: the UTC days of the next
 * minute, where an entry ending after now lies (an entry may end up to the tolerance after
 * its writer's now), and the slot of entries over 24 h (a stop committed just before this
 * start may have ended one a second after this start's now).
 */
export function startSlots(from: number): string[] {
  return slotsToCheck(from, from + FUTURE_TOLERANCE_SECONDS + 1);
}

/** When a tracker started at `from` (epoch seconds) stops itself under a limit of `minutes`. */
export const autoStopAtOf = (from: number, minutes: number | null) => (minutes === null ? null : toApiTimestamp(new Date((from + minutes * 60) * 1000)));

/**
 * Clocks a workspace member in (docs/contract.md: checks 5–9 in order; 1–4 happen before).
 * Costs exactly two DynamoDB round trips: one batch read (with the member's timeline around
 * now) and one transaction (the tracker, if the timeline is unchanged). A concurrent change
 * of that timeline makes it read again.
 */
export async function startTimeTracking(actorUserId: number, command: StartTimeTrackingCommand, deps: StartTimeTrackingDeps): Promise<ActiveTracker> {
  const startTime = toApiTimestamp(deps.now);
  const from = epochSeconds(startTime);
  const trackerId = deps.newId();
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const context = await deps.repository.loadContext({
      workspaceId: command.workspaceId,
      actorUserId,
      targetUserId: command.userId,
      contractId: command.contractId,
      taskId: command.taskId,
      slots: startSlots(from),
      // The limit in force now binds the tracker: read in the same batch, no round trip more.
      withSettings: true,
    });
    assertManagesWorkspace(context.actor);
    assertActiveMember(context.target);
    assertWorkFits(command, context);
    if (overlapping(context.timeline, from, Number.MAX_SAFE_INTEGER).length > 0) throw new TimeEntryOverlapError();

    const tracker: ActiveTracker = {
      trackerId,
      workspaceId: command.workspaceId,
      userId: command.userId,
      contractId: command.contractId,
      projectId: context.contract?.projectId ?? null,
      taskId: command.taskId,
      activityDescription: command.activityDescription,
      startTime,
      startedBy: actorUserId,
      taskTitle: context.task?.title ?? null,
      requestId: deps.requestId,
      autoStopAt: autoStopAtOf(from, context.settings.maxTrackerDurationMinutes),
    };
    const result = await deps.repository.createActiveTracker(tracker, context.timeline, dateIn(from * 1000, context.settings.timeZone));
    if (result.created) return tracker;
    if ('timesheetLocked' in result) throw new TimesheetLockedError();
    if ('existing' in result) {
      // The SDK retried a write whose first answer was lost: the tracker is ours.
      if (result.existing.requestId === deps.requestId) return result.existing;
      throw new TrackerAlreadyActiveError();
    }
  }
  throw new DependencyUnavailableError();
}
