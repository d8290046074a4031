/**
 * The typed errors of the service. Anything may throw them; one mapper
 * (shared/http/error-mapper.ts) turns them into the contract's envelope. They carry what a
 * client may see and nothing else: no SDK text, no table names, no key values.
 */
export type FieldErrors = Record<string, string[]>;

export abstract class AppError extends Error {
  /** Stable, machine-readable code, sent as the envelope's `error`. */
  abstract readonly code: string;
  /** The HTTP status the contract assigns to this error. */
  abstract readonly status: number;
}

export class UnauthenticatedError extends AppError {
  readonly code = 'unauthenticated';
  readonly status = 401;
  /** Why, for the log line only: the client always reads "Unauthenticated.". */
  readonly reason: string;
  constructor(reason: string) {
    super('Unauthenticated.');
    this.reason = reason;
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly status = 403;
  constructor(message = 'This action is unauthorized.') {
    super(message);
  }
}

export class InsufficientScopeError extends AppError {
  readonly code = 'insufficient_scope';
  readonly status = 403;
  constructor(requiredScope: string) {
    super(`This action requires the "${requiredScope}" scope.`);
  }
}

export class BadRequestError extends AppError {
  readonly code = 'bad_request';
  readonly status = 400;
}

export class ValidationError extends AppError {
  readonly code = 'validation_failed';
  readonly status = 422;
  readonly errors: FieldErrors;
  constructor(errors: FieldErrors) {
    super('Validation failed');
    this.errors = errors;
  }
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly status = 404;
}

export class InvitationNotPendingError extends AppError {
  readonly code = 'invitation_not_pending';
  readonly status = 409;
  constructor() {
    super('This invitation was already accepted or declined, or it has expired: ask for a new one.');
  }
}

export class AlreadyMemberError extends AppError {
  readonly code = 'already_member';
  readonly status = 409;
  constructor() {
    super('You are already a member of this workspace.');
  }
}

export class ReplayInProgressError extends AppError {
  readonly code = 'replay_in_progress';
  readonly status = 409;
  constructor(running: { id: string; since: string; until: string }) {
    super(`Replay ${running.id} of this webhook (events from ${running.since} to ${running.until}) is still running: one replay at a time; ask again once it has ended.`);
  }
}

export class TrackerAlreadyActiveError extends AppError {
  readonly code = 'tracker_already_active';
  readonly status = 400;
  constructor() {
    // Says nothing about the running tracker (workspace, start time): the caller may not
    // be allowed to see it.
    super('This user already has an active time tracker. Stop the current tracker before starting a new one.');
  }
}

export class NoActiveTrackerError extends AppError {
  readonly code = 'no_active_tracker';
  readonly status = 400;
  constructor() {
    super('This user has no active time tracker in this workspace.');
  }
}

export class IdempotencyConflictError extends AppError {
  readonly code = 'idempotency_key_in_use';
  readonly status = 409;
  constructor() {
    super('A request with this Idempotency-Key is still being processed. Retry later.');
  }
}

/** A time entry would overlap another entry of the member, or the member's running tracker. Nothing was written. */
export class TimeEntryOverlapError extends AppError {
  readonly code = 'time_entry_overlap';
  readonly status = 409;
  constructor() {
    super('The time entry overlaps another time entry or the running tracker of this user.');
  }
}

/**
 * A directory write's `version` is older than the stored one (or the same, with other
 * content): a sync job replayed or reordered an update. Nothing was changed; the message
 * names the stored version.
 */
export class StaleVersionError extends AppError {
  readonly code = 'stale_version';
  readonly status = 409;
  constructor(storedVersion: number) {
    super(`Version ${storedVersion} is stored, and this write's version is older (or the same with other content): nothing changed.`);
  }
}

/** An entry write touches a closed day (a lock date of the workspace): nothing was written. */
export class PeriodLockedError extends AppError {
  readonly code = 'period_locked';
  readonly status = 409;
  constructor(firstOpenDay: string) {
    super(`Entries starting before ${firstOpenDay} are locked in this workspace: they can be neither created, edited nor deleted.`);
  }
}

/** A report's CSV would pass what Lambda can answer (6 MB): nothing is cut short; a shorter range is. */
export class ReportTooLargeError extends AppError {
  readonly code = 'report_too_large';
  readonly status = 422;
  constructor() {
    super('This report is too large to answer at once (over 6 MB): ask for a shorter range or fewer members.');
  }
}

/** A timesheet or a time request is not in the status a transition starts from. */
export class InvalidTransitionError extends AppError {
  readonly code = 'invalid_transition';
  readonly status = 409;
  constructor(current: string) {
    super(`It is ${current}: this transition does not start from there.`);
  }
}

/** A period cannot be submitted or approved while the member's tracker that started in it runs. */
export class TrackerRunningError extends AppError {
  readonly code = 'tracker_running';
  readonly status = 409;
  constructor() {
    super('The member has a tracker running that started in this period: stop it first.');
  }
}

/** An entry write into a submitted or approved timesheet's days. Nothing was written. */
export class TimesheetLockedError extends AppError {
  readonly code = 'timesheet_locked';
  readonly status = 409;
  constructor() {
    super('This day belongs to a submitted or approved timesheet: its entries can be neither created, edited nor deleted until it is reopened, unsubmitted or rejected.');
  }
}

/** A change feed cursor this service no longer reads: the feed must be followed again from its start. */
export class CursorExpiredError extends AppError {
  readonly code = 'cursor_expired';
  readonly status = 410;
  constructor() {
    super('This cursor is no longer valid: read the feed again from its start (without `since`) and keep the new cursor.');
  }
}

/** `If-Match` names a version that is no longer the current one. Nothing was changed. */
export class PreconditionFailedError extends AppError {
  readonly code = 'precondition_failed';
  readonly status = 412;
  constructor() {
    super('It has changed since the version given in If-Match. Read it again, then retry.');
  }
}

/** DynamoDB throttled, timed out or unavailable: the client should retry later. */
export class DependencyUnavailableError extends AppError {
  readonly code = 'service_unavailable';
  readonly status = 503;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds = 1, options?: { cause?: unknown }) {
    super('The service is temporarily unavailable. Please retry shortly.', options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Over the per-user rate limit: retry after the window resets. Nothing else ran. */
export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('Too many requests. Retry after the time given in Retry-After.');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
