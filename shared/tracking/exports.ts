import { AppError, NotFoundError } from '../errors.ts';
import type { PortAccess } from '../ports/port-access.ts';
import { assertManagesWorkspace } from './access-rules.ts';
import { toApiTimestamp } from './api-time.ts';
import type { WorkspaceSettings } from './model.ts';
import type { TrackingRepository } from './ports.ts';

/**
 * Exports (docs/exports.md): a report of any size as a file, made by a job. The routes
 * queue the job and answer its state; the worker (functions/export-worker) claims it, writes
 * the file and marks it completed or failed. Nothing here knows HTTP, SQS or S3: the queue,
 * the files and the records are ports.
 */
export const EXPORT_REPORTS = ['detailed', 'summary', 'weekly', 'tracked-hours', 'timesheets'] as const;
export type ExportReport = (typeof EXPORT_REPORTS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** How long a file is kept (the bucket's lifecycle rule deletes it after as many days); afterwards its export answers 410. */
export const EXPORT_FILE_DAYS = 7;
/** How long a download link is valid. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;
/** Runs a job gets: a job whose runs died this many times (each past the worker's 15 minutes, or crashed) fails instead of running again. */
export const MAX_EXPORT_RUNS = 2;
/**
 * How long after it was queued a job's record is waited for: longer than the create route
 * may run (its 10 s timeout), so that a record still missing then never comes (the request
 * failed after queueing the job).
 */
export const ORPHAN_JOB_GRACE_MS = 30_000;

/** The report's parameters as asked (the body's fields but the workspace, report and format), kept to run it and shown back. */
export type ExportParameters = Readonly<Record<string, string | number>>;

export type ExportError = { code: string; message: string };

export type ExportJob = {
  exportId: string;
  workspaceId: number;
  report: ExportReport;
  format: ExportFormat;
  parameters: ExportParameters;
  status: ExportStatus;
  createdAt: string;
  createdBy: number;
  startedAt: string | null;
  completedAt: string | null;
  rowCount: number | null;
  bytes: number | null;
  error: ExportError | null;
  /** Counts the record's changes: each webhook event of it has its own. */
  revision: number;
  /** Where its file is: unguessable, under its workspace's prefix. */
  objectKey: string;
  /** A running job's claim: another invocation may take it over only after this instant (epoch ms). */
  leaseUntil: number | null;
  /** Runs that claimed it since it last made progress: more than one means an earlier run died (its function timed out or crashed). */
  attempts: number;
  /** Where a run that paused left the file (docs/exports.md, "Time limit"); null when none did. */
  checkpoint: ExportCheckpoint | null;
};

/**
 * A file left part-written by a run that paused before its time ran out: the parts uploaded
 * so far (an S3 multipart upload stays open between invocations) and the last row they hold,
 * by the position of its entry in the report's order (start, then id). The next run goes on
 * from the row after it.
 */
export type ExportCheckpoint = {
  uploadId: string;
  parts: Array<{ number: number; etag: string }>;
  after: { start: number; entryId: string };
  rows: number;
  bytes: number;
};

/** What a run of the writer did: the whole file, or a part of it and where to go on from. */
export type ExportWrite = { done: { rowCount: number; bytes: number } } | { paused: ExportCheckpoint };

/** What the queue carries: which job, and when it was queued (a job whose record never came is dropped after a grace). */
export type ExportJobMessage = { workspaceId: number; exportId: string; queuedAt: string };

export interface ExportRepository {
  /** Writes a new job's record (never over another). */
  create(job: ExportJob): Promise<void>;
  get(workspaceId: number, exportId: string): Promise<ExportJob | undefined>;
  /** The workspace's jobs created after `createdAfter` (ISO), newest first, a page at a time. */
  list(workspaceId: number, options: { createdAfter: string; limit: number; cursor?: string }): Promise<{ jobs: ExportJob[]; nextCursor: string | null }>;
  /** Takes the job to run it: queued, or running with its lease passed. Undefined when another run holds it or it has ended. */
  claim(job: ExportJob, claim: { startedAt: string; leaseUntil: number; now: number }): Promise<ExportJob | undefined>;
  /** Ends a job this run holds (status running at its revision). */
  finish(job: ExportJob, end: Pick<ExportJob, 'status' | 'completedAt' | 'rowCount' | 'bytes' | 'error'>): Promise<ExportJob>;
  /** Keeps a job this run holds running with its checkpoint, its lease given up (the next run may claim it at once) and its runs counted afresh. */
  pause(job: ExportJob, checkpoint: ExportCheckpoint): Promise<ExportJob>;
}
export const EXPORT_REPOSITORY_ACCESS: PortAccess<ExportRepository> = { create: 'write', get: 'read', list: 'read', claim: 'write', finish: 'write', pause: 'write' };

export interface ExportQueue {
  send(message: ExportJobMessage): Promise<void>;
}

export interface ExportDownloads {
  /** A link that reads the file for `DOWNLOAD_LINK_SECONDS`, saved as `filename`. */
  link(objectKey: string, filename: string): Promise<string>;
}

/** The file of a completed export can no longer be downloaded: it was deleted after its days. */
export class ExportExpiredError extends AppError {
  readonly code = 'export_expired';
  readonly status = 410;
  constructor() {
    super(`This export's file was deleted ${EXPORT_FILE_DAYS} days after it was made: create the export again.`);
  }
}

/** A job whose run cannot go on; its `code` is the export's `error.code`. */
export class ExportJobError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const notFound = () => new NotFoundError('The selected export was not found in this workspace.');

export const fileExpiresAt = (job: Pick<ExportJob, 'completedAt'>) => (job.completedAt === null ? null : toApiTimestamp(new Date(Date.parse(job.completedAt) + EXPORT_FILE_DAYS * 86_400_000)));
export const fileNameOf = (job: Pick<ExportJob, 'report' | 'workspaceId' | 'parameters' | 'format'>) => `${job.report}-${job.workspaceId}-${job.parameters.from}-${job.parameters.to}.${job.format}`;

/** A new export as it is queued: nothing run yet; its file's key under its workspace's prefix, named by its unguessable id. */
export function queuedExportJob(made: Pick<ExportJob, 'exportId' | 'workspaceId' | 'report' | 'format' | 'parameters' | 'createdAt' | 'createdBy'>): ExportJob {
  return {
    ...made,
    status: 'queued',
    startedAt: null,
    completedAt: null,
    rowCount: null,
    bytes: null,
    error: null,
    revision: 1,
    attempts: 0,
    checkpoint: null,
    objectKey: `workspaces/${made.workspaceId}/exports/${made.exportId}.${made.format}`,
    leaseUntil: null,
  };
}

type AccessDeps = { repository: TrackingRepository };

async function assertManager(actorUserId: number, workspaceId: number, deps: AccessDeps, withSettings = false) {
  const context = await deps.repository.loadContext({ workspaceId, actorUserId, targetUserId: actorUserId, withSettings });
  assertManagesWorkspace(context.actor);
  return context.settings;
}

/**
 * `POST /exports`: the job is queued first, then its record written. A request that fails
 * between the two leaves a message without a record, which the worker drops after a grace;
 * the other order could leave a record no job will ever run ("queued" for good).
 */
export async function createExport(
  actorUserId: number,
  request: {
    workspaceId: number;
    report: ExportReport;
    format: ExportFormat;
    parameters: ExportParameters;
    /** The report's own checks that need the workspace's settings (a weekly export's week): 422 before anything is queued. */
    checkParameters: (settings: WorkspaceSettings) => void;
  },
  deps: AccessDeps & { exports: ExportRepository; queue: ExportQueue; now: Date; newId: () => string },
): Promise<ExportJob> {
  request.checkParameters(await assertManager(actorUserId, request.workspaceId, deps, true));
  const job = queuedExportJob({
    exportId: deps.newId(),
    workspaceId: request.workspaceId,
    report: request.report,
    format: request.format,
    parameters: request.parameters,
    createdAt: toApiTimestamp(deps.now),
    createdBy: actorUserId,
  });
  await deps.queue.send({ workspaceId: job.workspaceId, exportId: job.exportId, queuedAt: job.createdAt });
  await deps.exports.create(job);
  return job;
}

export type ExportWithLink = ExportJob & { downloadUrl: string | null };

/** `GET /exports/{id}`: its state; a completed one with a fresh link, until its file is deleted (410). */
export async function getExport(
  actorUserId: number,
  query: { workspaceId: number; exportId: string },
  deps: AccessDeps & { exports: ExportRepository; downloads: ExportDownloads; now: Date },
): Promise<ExportWithLink> {
  const [, job] = await Promise.all([assertManager(actorUserId, query.workspaceId, deps), deps.exports.get(query.workspaceId, query.exportId)]);
  if (!job) throw notFound();
  if (job.status !== 'completed') return { ...job, downloadUrl: null };
  if (deps.now.getTime() >= Date.parse(fileExpiresAt(job)!)) throw new ExportExpiredError();
  return { ...job, downloadUrl: await deps.downloads.link(job.objectKey, fileNameOf(job)) };
}

/** `GET /exports`: the workspace's exports of the last `EXPORT_FILE_DAYS` days, newest first. */
export async function listExports(
  actorUserId: number,
  query: { workspaceId: number; perPage: number; cursor?: string },
  deps: AccessDeps & { exports: ExportRepository; now: Date },
): Promise<{ jobs: ExportJob[]; nextCursor: string | null }> {
  const createdAfter = new Date(deps.now.getTime() - EXPORT_FILE_DAYS * 86_400_000).toISOString();
  const [, page] = await Promise.all([
    assertManager(actorUserId, query.workspaceId, deps),
    deps.exports.list(query.workspaceId, { createdAfter, limit: query.perPage, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) }),
  ]);
  return page;
}

export type ExportRunOutcome = 'completed' | 'failed' | 'skipped' | 'orphan' | 'paused';

/**
 * The worker's run of one queued job. A job is run by one invocation at a time (its claim
 * and lease); a copy of the message that finds it running under a live lease, or ended, is
 * dropped: a redelivered job neither writes a second file nor loses the first. Whatever
 * fails in the run ends the job as failed with a code; only a failure to record that end
 * is thrown (the queue delivers the message again, and the next run takes over once the
 * lease has passed).
 */
export async function runExport(
  message: ExportJobMessage,
  deps: {
    exports: ExportRepository;
    /** Writes the job's file (from its checkpoint, when it has one): the whole of it, or a part before the run's time runs out. */
    write: (job: ExportJob) => Promise<ExportWrite>;
    /** Queues the job again, for the run that goes on from a checkpoint. */
    queue: ExportQueue;
    now: () => Date;
    sleep: (ms: number) => Promise<void>;
    leaseMs: number;
    log?: (event: string, fields: Record<string, unknown>) => void;
  },
): Promise<ExportRunOutcome> {
  // The job is queued before its record is written: the record usually follows within milliseconds.
  let job = await deps.exports.get(message.workspaceId, message.exportId);
  for (let wait = 100; !job && deps.now().getTime() < Date.parse(message.queuedAt) + ORPHAN_JOB_GRACE_MS; wait = Math.min(wait * 2, 2000)) {
    await deps.sleep(wait);
    job = await deps.exports.get(message.workspaceId, message.exportId);
  }
  // Queued by a request that failed before writing the record: nothing to run.
  if (!job) return 'orphan';
  const started = deps.now();
  const claimed = await deps.exports.claim(job, { startedAt: toApiTimestamp(started), leaseUntil: started.getTime() + deps.leaseMs, now: started.getTime() });
  if (!claimed) return 'skipped';
  if (claimed.attempts > MAX_EXPORT_RUNS) {
    // Each earlier run died before it could end the job: running it again would die again (a file too large for one run).
    await deps.exports.finish(claimed, { status: 'failed', completedAt: toApiTimestamp(deps.now()), rowCount: null, bytes: null, error: RUN_OUT_OF_TIME });
    return 'failed';
  }
  let end: Pick<ExportJob, 'status' | 'completedAt' | 'rowCount' | 'bytes' | 'error'>;
  try {
    const written = await deps.write(claimed);
    if ('paused' in written) {
      // Kept first, then queued: a message lost now leaves a job whose lease is given up, which the next copy of any message of it takes over.
      await deps.exports.pause(claimed, written.paused);
      await deps.queue.send({ workspaceId: job.workspaceId, exportId: job.exportId, queuedAt: toApiTimestamp(deps.now()) });
      return 'paused';
    }
    end = { status: 'completed', completedAt: toApiTimestamp(deps.now()), rowCount: written.done.rowCount, bytes: written.done.bytes, error: null };
  } catch (error) {
    const failure = exportErrorOf(error);
    deps.log?.('export_failed', { exportId: job.exportId, workspaceId: job.workspaceId, code: failure.code, cause: error instanceof Error ? error.name : typeof error });
    end = { status: 'failed', completedAt: toApiTimestamp(deps.now()), rowCount: null, bytes: null, error: failure };
  }
  await deps.exports.finish(claimed, end);
  return end.status === 'completed' ? 'completed' : 'failed';
}

const RUN_OUT_OF_TIME: ExportError = {
  code: 'run_out_of_time',
  message: `The export did not finish within the worker's time limit, ${MAX_EXPORT_RUNS} times: export a shorter range, or fewer members at a time.`,
};

/** What an export's `error` says of a failure: a stable code and a message for a person, never the cause's own text. */
export function exportErrorOf(error: unknown): ExportError {
  if (error instanceof ExportJobError) return { code: error.code, message: error.message };
  if (error instanceof AppError && error.status === 403) return { code: 'forbidden', message: 'Its creator no longer manages this workspace: an owner or executive manager must create it again.' };
  if (error instanceof AppError && error.status === 422) return { code: 'invalid_parameters', message: 'The report refused its parameters: create it again with valid ones.' };
  // An AWS SDK error (throttled, timed out, refused), or ours for it.
  const fromSdk = typeof error === 'object' && error !== null && ('$metadata' in error || (error as Error).name === 'TimeoutError');
  if (fromSdk || (error instanceof AppError && error.status === 503)) return { code: 'source_unavailable', message: 'The data could not be read: create the export again.' };
  return { code: 'internal_error', message: 'The export could not be made: create it again.' };
}
