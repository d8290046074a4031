import type { AutoStopCommand } from '../tracking/auto-stop.ts';

/**
 * Forgotten trackers (docs/architecture.md "Auto-stop"): a tracker that has a limit gets a
 * one-time schedule that stops it, created off the request path from the table's stream,
 * and deleted when the tracker stops first. This module turns stream records into what to
 * ask of the scheduler; it knows no SDK (the adapter is ./eventbridge-scheduler.ts).
 */
export type AutoStopSchedules = {
  /** Creates the schedule unless it exists (a replayed record is no error). */
  create(schedule: { name: string; at: Date; input: AutoStopCommand }): Promise<void>;
  /** Deletes the schedule if it exists (a fired one deleted itself). */
  delete(name: string): Promise<void>;
};

export type ScheduleChange = { kind: 'create'; name: string; at: Date; input: AutoStopCommand } | { kind: 'delete'; name: string };

/** One schedule per tracker, named by it (schedule names allow 64 of [0-9a-zA-Z-_.]). */
export const autoStopScheduleName = (trackerId: string) => `auto-stop-${trackerId}`.slice(0, 64);

/**
 * The table stream's records that change a schedule: a tracker with a limit inserted, and
 * the first history version of such a tracker's entry (it stopped; the stream shows new
 * images only, so a removed tracker's record would not say which tracker it was). As Lambda
 * event-filter patterns: the deployed event source mapping uses these, and the local
 * runtimes match records against them.
 */
export const autoStopStreamFilterPatterns = () => [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['tracker', 'time_entry_version'] }, auto_stop_at: { S: [{ exists: true }] } } } }];

/**
 * What one stream record asks of the scheduler, if anything. A schedule is never set in the
 * past (Scheduler may refuse one): a record read late (the stream lagging) fires at once;
 * the entry ends at the tracker's `auto_stop_at` whenever the stop runs.
 */
export function scheduleChangeOf(record: { eventName?: string; newImage?: Record<string, unknown> }, now: Date): ScheduleChange | undefined {
  const image = record.eventName === 'INSERT' ? record.newImage : undefined;
  if (typeof image?.auto_stop_at !== 'string') return undefined;
  // A stopped tracker's entry has the tracker's id.
  if (image.entity === 'time_entry_version' && typeof image.entry_id === 'string') return { kind: 'delete', name: autoStopScheduleName(image.entry_id) };
  if (image.entity !== 'tracker' || typeof image.tracker_id !== 'string') return undefined;
  const name = autoStopScheduleName(image.tracker_id);
  const due = Date.parse(image.auto_stop_at);
  const soonest = Math.ceil((now.getTime() + 1000) / 1000) * 1000;
  return {
    kind: 'create',
    name,
    at: new Date(Math.max(due, soonest)),
    input: { workspaceId: Number(image.workspace_id), userId: Number(image.user_id), trackerId: image.tracker_id },
  };
}

export async function applyScheduleChange(change: ScheduleChange, schedules: AutoStopSchedules): Promise<void> {
  if (change.kind === 'create') await schedules.create(change);
  else await schedules.delete(change.name);
}

/** The schedule's input: what the auto-stop function receives (snake_case, as every payload here). */
export const autoStopInputOf = (command: AutoStopCommand) => ({ workspace_id: command.workspaceId, user_id: command.userId, tracker_id: command.trackerId });

/** The auto-stop function's event, checked: anything else is no schedule of ours. */
export function autoStopCommandOf(event: unknown): AutoStopCommand | undefined {
  const value = event as Record<string, unknown> | null;
  if (!value || typeof value !== 'object') return undefined;
  const { workspace_id: workspaceId, user_id: userId, tracker_id: trackerId } = value;
  if (!Number.isSafeInteger(workspaceId) || !Number.isSafeInteger(userId) || typeof trackerId !== 'string' || trackerId.length === 0 || trackerId.length > 64) return undefined;
  return { workspaceId: workspaceId as number, userId: userId as number, trackerId };
}
