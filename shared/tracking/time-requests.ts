import type { PortAccess } from '../ports/port-access.ts';
import { DependencyUnavailableError, ForbiddenError, InvalidTransitionError, NotFoundError, TimesheetLockedError, ValidationError } from '../errors.ts';
import { assertActiveMember, assertManagesWorkspace, assertWorkFits, canTrackTime, isManager } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import { assertNoOverlap, changesBetween, checkedInterval } from './entry-rules.ts';
import { assertOpen } from './locks.ts';
import type { Membership, TimeEntry, TimeEntryVersion, TimeRequest, TimeRequestStatus } from './model.ts';

export { TIME_REQUEST_STATUSES, type TimeRequest, type TimeRequestStatus } from './model.ts';
import type { TrackingRepository } from './ports.ts';
import { contentionPause, epochSeconds, slotsToCheck, WRITE_ATTEMPTS } from './timeline.ts';
import { dateIn, dayCount } from './time-zones.ts';

/**
 * Time requests (docs/time-requests.md): manual time a member asks for, pending until an owner
 * or executive manager approves it (the entry is made then, in the same transaction that
 * marks the request approved) or rejects it with a comment; its requester may cancel it while
 * it is pending. A member makes and cancels only their own (the route table says so).
 */
export interface TimeRequestRepository {
  /** The request by id in this workspace (strongly consistent), or undefined. */
  get(workspaceId: number, id: string): Promise<TimeRequest | undefined>;
  /** The workspace's requests starting on `from`..`to` (UTC days, inclusive), oldest first. */
  list(workspaceId: number, range: { from: string; to: string }): Promise<TimeRequest[]>;
  /** Whether a submitted or approved timesheet locks the member's day (workspace zone) now. */
  dayLocked(workspaceId: number, userId: number, day: string): Promise<boolean>;
  /** A new one; a status change conditioned on the revision read ('conflict' otherwise). */
  put(request: TimeRequest, seenRevision: number | undefined): Promise<'written' | 'conflict'>;
}

/** Which of its methods read and which write (the rate limit holds writes until it admits the request). */
export const TIME_REQUEST_REPOSITORY_ACCESS: PortAccess<TimeRequestRepository> = { get: 'read', list: 'read', dayLocked: 'read', put: 'write' };

export type TimeRequestDeps = { repository: TrackingRepository; requests: TimeRequestRepository; now: Date };

const notFound = () => new NotFoundError('The selected time request was not found in this workspace.');

/** The request's requester part of its id, and the entry id its approval makes (the id's own part: concurrent approvals make one entry). */
const entryIdOf = (request: TimeRequest) => request.id.slice(request.id.indexOf('_') + 1);

export async function createTimeRequest(
  actorUserId: number,
  command: { workspaceId: number; userId: number; startTime: string; endTime: string; contractId: number | null; taskId: number | null; note: string | null },
  deps: TimeRequestDeps & { newId: () => string },
): Promise<TimeRequest> {
  // Checked as an entry create: a real interval of at most 24 h, not in the future; the overlap is checked at approval.
  const interval = checkedInterval(command, deps.now);
  const context = await deps.repository.loadContext({
    workspaceId: command.workspaceId,
    actorUserId,
    targetUserId: command.userId,
    contractId: command.contractId,
    taskId: command.taskId,
    withSettings: true,
  });
  // The route lets only the member themself make one: an active member who tracks time.
  if (context.actor?.status !== 'active' || !canTrackTime(context.actor)) throw new ForbiddenError();
  assertActiveMember(context.target);
  assertWorkFits(command, context);
  assertOpen([interval.startTime], context.settings, deps.now);
  // Nor into a submitted or approved timesheet (its approval would be refused the same way).
  if (await deps.requests.dayLocked(command.workspaceId, command.userId, dateIn(Date.parse(interval.startTime), context.settings.timeZone))) throw new TimesheetLockedError();
  const request: TimeRequest = {
    id: `${command.userId}_${deps.newId()}`,
    workspaceId: command.workspaceId,
    userId: command.userId,
    ...interval,
    contractId: command.contractId,
    projectId: context.contract?.projectId ?? null,
    taskId: command.taskId,
    note: command.note,
    status: 'pending',
    revision: 1,
    createdAt: toApiTimestamp(deps.now),
    decidedAt: null,
    decidedBy: null,
    comment: null,
    timeEntryId: null,
  };
  if ((await deps.requests.put(request, undefined)) !== 'written') throw new DependencyUnavailableError();
  return request;
}

export async function listTimeRequests(
  actorUserId: number,
  query: { workspaceId: number; from: string; to: string; status?: TimeRequestStatus; userId?: number; forSelf: boolean },
  deps: TimeRequestDeps,
): Promise<TimeRequest[]> {
  if (query.from > query.to || dayCount(query.from, query.to) > 366) throw new ValidationError({ to: ['The range must be at most 366 days, from before to.'] });
  const [context, requests] = await Promise.all([
    deps.repository.loadContext({ workspaceId: query.workspaceId, actorUserId, targetUserId: actorUserId }),
    deps.requests.list(query.workspaceId, { from: query.from, to: query.to }),
  ]);
  // Managers see all; a member sees their own (`user_id` = themself: the route's selfService).
  const ownOnly = !isManager(context.actor);
  if (ownOnly && !(query.forSelf && context.actor?.status === 'active')) throw new ForbiddenError();
  return requests.filter(
    (request) => (!query.status || request.status === query.status) && (query.userId === undefined || request.userId === query.userId) && (!ownOnly || request.userId === actorUserId),
  );
}

/** A request a manager decides: 404 when it is not in the workspace (or the caller manages nothing there: nothing revealed). */
async function loadDecidable(actorUserId: number, query: { workspaceId: number; id: string }, deps: TimeRequestDeps): Promise<{ actor: Membership; request: TimeRequest }> {
  const [context, request] = await Promise.all([
    deps.repository.loadContext({ workspaceId: query.workspaceId, actorUserId, targetUserId: actorUserId }),
    deps.requests.get(query.workspaceId, query.id),
  ]);
  if (!isManager(context.actor) || !request) throw notFound();
  return { actor: context.actor, request };
}

/**
 * Approves a pending request: its entry (`source: 'request'`, created by its requester,
 * approved by the caller) and the request marked approved with it, in one transaction. The
 * entry is checked as a create is now (the member, the work, lock dates and timesheets, and
 * the overlap with the member's time as it is now: 409 `time_entry_overlap`, the request
 * stays pending). Concurrent approvals make one entry: its id is the request's own.
 */
export async function approveTimeRequest(actorUserId: number, query: { workspaceId: number; id: string }, deps: TimeRequestDeps): Promise<TimeRequest> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const { request } = await loadDecidable(actorUserId, query, deps);
    if (request.status !== 'pending') throw new InvalidTransitionError(request.status);
    const context = await deps.repository.loadContext({
      workspaceId: request.workspaceId,
      actorUserId,
      targetUserId: request.userId,
      contractId: request.contractId,
      taskId: request.taskId,
      withTracker: true,
      withSettings: true,
      slots: slotsToCheck(epochSeconds(request.startTime), epochSeconds(request.endTime)),
    });
    assertManagesWorkspace(context.actor);
    assertActiveMember(context.target);
    assertWorkFits(request, context);
    assertOpen([request.startTime], context.settings, deps.now);
    const entryId = entryIdOf(request);
    assertNoOverlap(request, context, request.workspaceId, entryId);
    const at = toApiTimestamp(deps.now);
    const entry: TimeEntry = {
      entryId,
      workspaceId: request.workspaceId,
      userId: request.userId,
      contractId: request.contractId,
      projectId: context.contract?.projectId ?? null,
      taskId: request.taskId,
      activityDescription: request.note,
      startTime: request.startTime,
      endTime: request.endTime,
      durationSeconds: request.durationSeconds,
      source: 'request',
      approvedBy: actorUserId,
      stopReason: null,
      stoppedBy: null,
      createdBy: request.userId,
      createdAt: at,
      updatedBy: request.userId,
      updatedAt: at,
      version: 1,
    };
    const version: TimeEntryVersion = {
      entryId,
      workspaceId: entry.workspaceId,
      userId: entry.userId,
      version: 1,
      action: 'created',
      at,
      by: actorUserId,
      changes: changesBetween(undefined, entry),
      entry,
    };
    const approved: TimeRequest = { ...request, status: 'approved', revision: request.revision + 1, decidedAt: at, decidedBy: actorUserId, timeEntryId: entryId };
    const written = await deps.repository.writeTimeEntry({
      before: undefined,
      after: entry,
      version,
      checked: context.timeline,
      tracker: { checked: true, seen: context.tracker },
      timesheetDays: [dateIn(Date.parse(entry.startTime), context.settings.timeZone)],
      request: { after: approved, seenRevision: request.revision },
    });
    if (written === 'written') return approved;
    if (written === 'timesheet_locked') throw new TimesheetLockedError();
  }
  throw new DependencyUnavailableError();
}

/** Rejects a pending request with a comment (required). */
export async function rejectTimeRequest(actorUserId: number, query: { workspaceId: number; id: string; comment: string }, deps: TimeRequestDeps): Promise<TimeRequest> {
  if (!query.comment.trim()) throw new ValidationError({ comment: ['The comment field is required.'] });
  return decide(actorUserId, query, deps, (request, at) => ({ ...request, status: 'rejected', decidedAt: at, decidedBy: actorUserId, comment: query.comment.trim() }), { managers: true });
}

/** Its requester cancels a pending request (the route lets nobody else: 404). */
export async function cancelTimeRequest(actorUserId: number, query: { workspaceId: number; id: string }, deps: TimeRequestDeps): Promise<TimeRequest> {
  return decide(actorUserId, query, deps, (request, at) => ({ ...request, status: 'cancelled', decidedAt: at, decidedBy: actorUserId }), { managers: false });
}

async function decide(
  actorUserId: number,
  query: { workspaceId: number; id: string },
  deps: TimeRequestDeps,
  change: (request: TimeRequest, at: string) => TimeRequest,
  options: { managers: boolean },
): Promise<TimeRequest> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    await contentionPause(attempt);
    const request = options.managers ? (await loadDecidable(actorUserId, query, deps)).request : await deps.requests.get(query.workspaceId, query.id);
    if (!request || (!options.managers && request.userId !== actorUserId)) throw notFound();
    if (request.status !== 'pending') throw new InvalidTransitionError(request.status);
    const next = { ...change(request, toApiTimestamp(deps.now)), revision: request.revision + 1 };
    if ((await deps.requests.put(next, request.revision)) === 'written') return next;
  }
  throw new DependencyUnavailableError();
}
