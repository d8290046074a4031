import { TimeEntryOverlapError, ValidationError, type FieldErrors } from '../errors.ts';
import { parseOffsetTime, secondsBetween, toApiTimestamp } from './api-time.ts';
import { HISTORY_FIELDS, type ActiveTracker, type EntryChanges, type HistoryField, type TimeEntry, type TimelineSlot } from './model.ts';
import { epochSeconds, MAX_ENTRY_SECONDS, MAX_SPANS_PER_SLOT, overlapping, slotsOf } from './timeline.ts';

/** How far in the future an entry may end: clocks of clients drift. */
export const FUTURE_TOLERANCE_SECONDS = 60;

/**
 * An ISO 8601 time with an offset (the schema checks its shape) as the contract's UTC
 * timestamp, or undefined when it names no real instant ("2026-02-30T…", "…T24:00:00…",
 * an offset over 18 h).
 */
export function toUtcTimestamp(value: string): string | undefined {
  const instant = parseOffsetTime(value);
  return instant === undefined ? undefined : toApiTimestamp(new Date(instant));
}

/** The interval of an entry, checked: real times, end after start, at most 24 h, not in the future. */
export function checkedInterval(input: { startTime: string; endTime: string }, now: Date, fields: { start: string; end: string } = { start: 'start_time', end: 'end_time' }) {
  const errors: FieldErrors = {};
  const startTime = toUtcTimestamp(input.startTime);
  const endTime = toUtcTimestamp(input.endTime);
  if (!startTime) errors[fields.start] = ['The start time field must be a valid date and time.'];
  if (!endTime) errors[fields.end] = ['The end time field must be a valid date and time.'];
  if (startTime && endTime) {
    const seconds = epochSeconds(endTime) - epochSeconds(startTime);
    if (seconds <= 0) errors[fields.end] = ['The end time must be after the start time.'];
    else if (seconds > MAX_ENTRY_SECONDS) errors[fields.end] = ['A time entry lasts at most 24 hours.'];
    else if (epochSeconds(endTime) > Math.floor(now.getTime() / 1000) + FUTURE_TOLERANCE_SECONDS) errors[fields.end] = ['The end time must not be in the future.'];
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { startTime: startTime!, endTime: endTime!, durationSeconds: secondsBetween(new Date(startTime!), new Date(endTime!)) };
}

/**
 * The overlap rule (409): the interval overlaps none of the member's other entries (as the
 * timeline read shows them) and not the member's tracker running in this workspace (from its
 * start on). Touching ends are fine. A day already holding the most entries a day may → 422.
 */
export function assertNoOverlap(
  interval: { startTime: string; endTime: string },
  context: { timeline: readonly TimelineSlot[]; tracker: ActiveTracker | undefined },
  workspaceId: number,
  entryId: string,
) {
  const start = epochSeconds(interval.startTime);
  const end = epochSeconds(interval.endTime);
  if (overlapping(context.timeline, start, end, entryId).length > 0) throw new TimeEntryOverlapError();
  const tracker = context.tracker?.workspaceId === workspaceId ? context.tracker : undefined;
  if (tracker && end > epochSeconds(tracker.startTime)) throw new TimeEntryOverlapError();
  const targets = new Set(slotsOf(start, end));
  const full = context.timeline.some((slot) => targets.has(slot.slot) && slot.spans.filter((span) => span.entryId !== entryId).length >= MAX_SPANS_PER_SLOT);
  if (full) throw new ValidationError({ start_time: [`This user already has ${MAX_SPANS_PER_SLOT} time entries on this day.`] });
}

const fieldValues = (entry: TimeEntry): Record<HistoryField, unknown> => ({
  start_time: entry.startTime,
  end_time: entry.endTime,
  duration_seconds: entry.durationSeconds,
  contract_id: entry.contractId,
  project_id: entry.projectId,
  task_id: entry.taskId,
  activity_description: entry.activityDescription,
});

/** `{ field: [old, new] }` for every recorded field that differs (`old` null for a creation). */
export function changesBetween(before: TimeEntry | undefined, after: TimeEntry): EntryChanges {
  const old = before ? fieldValues(before) : undefined;
  const next = fieldValues(after);
  const changes: EntryChanges = {};
  for (const field of HISTORY_FIELDS) {
    const previous = old ? old[field] : null;
    if (!old || previous !== next[field]) changes[field] = [previous, next[field]];
  }
  return changes;
}
