import { DependencyUnavailableError, NotFoundError, PreconditionFailedError, TimesheetLockedError, ValidationError } from '../errors.ts';
import { dateIn } from './time-zones.ts';
import { assertActiveMember, assertManagesWorkspace, assertWorkFits } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import { assertNoOverlap, changesBetween, checkedInterval } from './entry-rules.ts';
import { assertOpen } from './locks.ts';
import type { TimeEntry, TimeEntryVersion } from './model.ts';
import type { TrackingRepository, WorkspaceContext } from './ports.ts';
import { epochSeconds, slotsToCheck, WRITE_ATTEMPTS, contentionPause } from './timeline.ts';

/**
 * The life of a time entry besides a stop: add one by hand, read it, correct it, delete it,
 * read its history (docs/contract.md "Time entries"). Every change is one transaction that
 * writes the entry's copies, its history version and its timeline spans together, and
 * commits only if what the rules were checked against is unchanged; else it reads again
 * (at most WRITE_ATTEMPTS times, then 503). A create or edit costs at most 3 round trips.
 */
export type TimeEntryDeps = { repository: TrackingRepository; now: Date };

export type CreateTimeEntryCommand = {
  workspaceId: number;
  userId: number;
  /** ISO 8601 with an offset, as sent. */
  startTime: string;
  endTime: string;
  contractId: number | null;
  taskId: number | null;
  activityDescription: string | null;
};

export type EntrySelector = { workspaceId: number; entryId: string };

/** `If-Match`'s version, when sent; `*` matches any. */
export type Precondition = { ifMatch?: number | '*' };

const notFound = () => new NotFoundError('The selected time entry was not found in this workspace.');

export async function createTimeEntry(actorUserId: number, command: CreateTimeEntryCommand, deps: TimeEntryDeps & { newId: () => string }): Promise<TimeEntry> {
  const interval = checkedInterval(command, deps.now);
  const entryId = deps.newId();
  const at = toApiTimestamp(deps.now);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const context = await deps.repository.loadContext({
      workspaceId: command.workspaceId,
      actorUserId,
      targetUserId: command.userId,
      contractId: command.contractId,
      taskId: command.taskId,
      withTracker: true,
      withSettings: true,
      slots: slotsToCheck(epochSeconds(interval.startTime), epochSeconds(interval.endTime)),
      // Read again after a conflict: if that conflict was our own write applied (its answer lost), the entry is ours.
      entryId: attempt > 0 ? entryId : undefined,
    });
    assertManagesWorkspace(context.actor);
    if (context.entry) return context.entry;
    assertActiveMember(context.target);
    assertWorkFits(command, context);
    assertOpen([interval.startTime], context.settings, deps.now);
    assertNoOverlap(interval, context, command.workspaceId, entryId);
    const entry: TimeEntry = {
      entryId,
      workspaceId: command.workspaceId,
      userId: command.userId,
      contractId: command.contractId,
      projectId: context.contract?.projectId ?? null,
      taskId: command.taskId,
      activityDescription: command.activityDescription,
      ...interval,
      source: 'manual',
      stopReason: null,
      stoppedBy: null,
      createdBy: actorUserId,
      createdAt: at,
      updatedBy: actorUserId,
      updatedAt: at,
      version: 1,
    };
    const version = versionOf(entry, 'created', undefined, actorUserId, at);
    const written = await deps.repository.writeTimeEntry({
      before: undefined,
      after: entry,
      version,
      checked: context.timeline,
      tracker: { checked: true, seen: context.tracker },
      timesheetDays: [dateIn(Date.parse(entry.startTime), context.settings.timeZone)],
    });
    if (written === 'written') return entry;
    if (written === 'timesheet_locked') throw new TimesheetLockedError();
  }
  throw new DependencyUnavailableError();
}

/** Check 5, then the entry by id (one BatchGetItem; with the workspace's settings for a write: its lock dates). */
async function loadManagedEntry(actorUserId: number, selector: EntrySelector, repository: TrackingRepository, options: { withSettings?: boolean } = {}) {
  const context = await repository.loadContext({ workspaceId: selector.workspaceId, actorUserId, targetUserId: actorUserId, entryId: selector.entryId, withSettings: options.withSettings });
  assertManagesWorkspace(context.actor);
  if (!context.entry) throw notFound();
  return { entry: context.entry, settings: context.settings };
}

function assertPrecondition(entry: TimeEntry, precondition: Precondition) {
  if (precondition.ifMatch !== undefined && precondition.ifMatch !== '*' && precondition.ifMatch !== entry.version) throw new PreconditionFailedError();
}

export async function getTimeEntry(actorUserId: number, selector: EntrySelector, deps: { repository: TrackingRepository }): Promise<TimeEntry> {
  return (await loadManagedEntry(actorUserId, selector, deps.repository)).entry;
}

/** What a PATCH may change: absent fields stay, `null` clears the nullable ones. */
export type TimeEntryPatch = {
  startTime?: string;
  endTime?: string;
  contractId?: number | null;
  taskId?: number | null;
  activityDescription?: string | null;
};

export async function updateTimeEntry(actorUserId: number, selector: EntrySelector & Precondition, patch: TimeEntryPatch, deps: TimeEntryDeps): Promise<TimeEntry> {
  const at = toApiTimestamp(deps.now);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const { entry, settings } = await loadManagedEntry(actorUserId, selector, deps.repository, { withSettings: true });
    assertPrecondition(entry, selector);
    const timesChanged = patch.startTime !== undefined || patch.endTime !== undefined;
    const interval = timesChanged
      ? checkedInterval({ startTime: patch.startTime ?? entry.startTime, endTime: patch.endTime ?? entry.endTime }, deps.now)
      : { startTime: entry.startTime, endTime: entry.endTime, durationSeconds: entry.durationSeconds };
    const work = {
      userId: entry.userId,
      contractId: patch.contractId === undefined ? entry.contractId : patch.contractId,
      taskId: patch.taskId === undefined ? entry.taskId : patch.taskId,
    };
    const workChanged = work.contractId !== entry.contractId || work.taskId !== entry.taskId;
    const movesInTime = interval.startTime !== entry.startTime || interval.endTime !== entry.endTime;
    const next: TimeEntry = {
      ...entry,
      ...interval,
      contractId: work.contractId,
      taskId: work.taskId,
      activityDescription: patch.activityDescription === undefined ? entry.activityDescription : patch.activityDescription,
    };
    let checked: WorkspaceContext | undefined;
    if (workChanged || movesInTime) {
      // Checks 7–8 for a changed contract or task; the overlap rule for a moved interval. The member stays who it was.
      checked = await deps.repository.loadContext({
        workspaceId: selector.workspaceId,
        actorUserId,
        targetUserId: entry.userId,
        contractId: workChanged ? work.contractId : null,
        taskId: workChanged ? work.taskId : null,
        withTracker: movesInTime,
        slots: movesInTime ? slotsToCheck(epochSeconds(interval.startTime), epochSeconds(interval.endTime)) : [],
      });
      if (workChanged) {
        if (work.taskId !== null && work.contractId === null) throw new ValidationError({ contract_id: ['The contract id field is required when task id is present.'] });
        assertWorkFits(work, { ...checked, target: undefined });
        next.projectId = checked.contract?.projectId ?? null;
      }
      if (movesInTime) assertNoOverlap(interval, checked, selector.workspaceId, entry.entryId);
    }
    const changes = changesBetween(entry, next);
    if (Object.keys(changes).length === 0) return entry;
    // Neither where it was nor where it goes may be a closed day.
    assertOpen([entry.startTime, next.startTime], settings, deps.now);
    const updated: TimeEntry = { ...next, updatedBy: actorUserId, updatedAt: at, version: entry.version + 1 };
    const written = await deps.repository.writeTimeEntry({
      before: entry,
      after: updated,
      version: { ...versionOf(updated, 'updated', entry, actorUserId, at), changes },
      checked: movesInTime ? checked!.timeline : [],
      tracker: { checked: movesInTime, seen: checked?.tracker },
      timesheetDays: [entry.startTime, updated.startTime].map((startTime) => dateIn(Date.parse(startTime), settings.timeZone)),
    });
    if (written === 'written') return updated;
    if (written === 'timesheet_locked') throw new TimesheetLockedError();
  }
  throw new DependencyUnavailableError();
}

export async function deleteTimeEntry(actorUserId: number, selector: EntrySelector & Precondition, deps: TimeEntryDeps): Promise<void> {
  const at = toApiTimestamp(deps.now);
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const { entry, settings } = await loadManagedEntry(actorUserId, selector, deps.repository, { withSettings: true });
    assertPrecondition(entry, selector);
    assertOpen([entry.startTime], settings, deps.now);
    const version: TimeEntryVersion = { ...versionOf(entry, 'deleted', entry, actorUserId, at), version: entry.version + 1, changes: {} };
    // Removing time never makes an overlap: nothing to check but the entry's own version.
    const written = await deps.repository.writeTimeEntry({
      before: entry,
      after: undefined,
      version,
      checked: [],
      tracker: { checked: false, seen: undefined },
      timesheetDays: [dateIn(Date.parse(entry.startTime), settings.timeZone)],
    });
    if (written === 'written') return;
    if (written === 'timesheet_locked') throw new TimesheetLockedError();
  }
  throw new DependencyUnavailableError();
}

/** One page of the versions, newest first; readable after a delete, 404 when the id was never in this workspace. */
export async function timeEntryHistory(
  actorUserId: number,
  selector: EntrySelector,
  deps: { repository: TrackingRepository; page: { cursor?: string; perPage: number } },
): Promise<{ versions: TimeEntryVersion[]; nextCursor: string | null }> {
  // The history is read alongside check 5 and shown only once the check passed (a cursor it refuses too: 403 first).
  const [context, history] = await Promise.allSettled([
    deps.repository.loadContext({ workspaceId: selector.workspaceId, actorUserId, targetUserId: actorUserId }),
    deps.repository.timeEntryHistory(selector.workspaceId, selector.entryId, deps.page),
  ]);
  if (context.status === 'rejected') throw context.reason;
  assertManagesWorkspace(context.value.actor);
  if (history.status === 'rejected') throw history.reason;
  if (history.value.versions.length === 0 && deps.page.cursor === undefined) throw notFound();
  return history.value;
}

function versionOf(entry: TimeEntry, action: TimeEntryVersion['action'], before: TimeEntry | undefined, by: number, at: string): TimeEntryVersion {
  return {
    entryId: entry.entryId,
    workspaceId: entry.workspaceId,
    userId: entry.userId,
    version: entry.version,
    action,
    at,
    by,
    changes: action === 'created' ? changesBetween(undefined, entry) : {},
    entry: before && action === 'deleted' ? before : entry,
  };
}
