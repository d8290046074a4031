import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadExportBucketConfig, loadExportPartBytes } from '../../shared/config/export-config.ts';
import { documentClient, databaseConfig, reportRepository, timesheetDeps, timesheetRepository, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createExportRepository } from '../../shared/db/export-repository.ts';
import { csvLine, writeXlsx, type ExportHeading } from '../../shared/exports/export-file.ts';
import { reportTableOf } from '../../shared/exports/report-table.ts';
import { logger } from '../../shared/observability/logger.ts';
import { withMetrics } from '../../shared/observability/metrics.ts';
import { s3Client } from '../../shared/storage/s3-client.ts';
import { CONTENT_TYPES, openResumableUpload, s3FileSink } from '../../shared/storage/s3-export-files.ts';
import { exportQueue } from '../../shared/messaging/default-export-queue.ts';
import { runExport, type ExportJob, type ExportJobMessage, type ExportWrite } from '../../shared/tracking/exports.ts';

const { bucket } = loadExportBucketConfig();
const partBytes = loadExportPartBytes();
const exports = createExportRepository(documentClient, databaseConfig.tableName);
const processor = new BatchProcessor(EventType.SQS);

/** What the workbook's Parameters sheet says of a job. */
const headingOf = (job: ExportJob, table: { timeZone: string; rounding: unknown }): ExportHeading => [
  ['report', job.report],
  ['from', String(job.parameters.from)],
  ['to', String(job.parameters.to)],
  ['time zone', table.timeZone],
  ['rounding', JSON.stringify(table.rounding)],
  ['filters', JSON.stringify(Object.fromEntries(Object.entries(job.parameters).filter(([name]) => !['from', 'to', 'tz'].includes(name))))],
  ['generated at', new Date().toISOString()],
  ['by', job.createdBy],
  ['export id', job.exportId],
];

/** Room kept for ending a run after a part: its checkpoint written and the job queued again. */
const PAUSE_RESERVE_MS = 60_000;

/**
 * Writes one job's file into the bucket as its rows are read (shared/storage/s3-export-files.ts).
 * A CSV goes up in parts that end on whole rows: when this invocation has less than
 * PAUSE_RESERVE_MS left after a part, the run pauses there and the next invocation goes on
 * from the row after it (docs/exports.md, "Time limit"). An XLSX, one zip stream, is written
 * by one run.
 */
async function writeFile(job: ExportJob, remainingMs: () => number): Promise<ExportWrite> {
  const table = await reportTableOf(job, { repository: trackingRepository, reports: reportRepository, timesheets: timesheetDeps(new Date(), timesheetRepository) }, job.checkpoint?.after);
  if (job.format === 'xlsx') {
    const sink = s3FileSink(s3Client, bucket, job.objectKey, CONTENT_TYPES.xlsx);
    // Both must settle: a failed upload stops the writer (its stream is destroyed), a failed read leaves the upload unfinished.
    const [rowCount, stored] = await Promise.all([
      writeXlsx(table, headingOf(job, table), sink.stream).catch((error: unknown) => {
        sink.stream.destroy(error as Error);
        throw error;
      }),
      sink.done,
    ]);
    return { done: { rowCount, bytes: stored.bytes } };
  }
  const upload = await openResumableUpload(s3Client, { bucket, key: job.objectKey, contentType: CONTENT_TYPES.csv, partBytes }, job.checkpoint);
  try {
    if (!job.checkpoint) upload.add(csvLine(table.header), undefined, false);
    for await (const row of table.rows) {
      upload.add(csvLine(row), table.position?.());
      if ((await upload.flush()) && table.position && remainingMs() < PAUSE_RESERVE_MS) return { paused: upload.checkpoint() };
    }
    const { rows, bytes } = await upload.complete();
    return { done: { rowCount: rows, bytes } };
  } catch (error) {
    await upload.abort();
    throw error;
  }
}

/**
 * Runs queued export jobs (docs/exports.md), one message a batch: a job holds the function
 * for as long as its file takes. A job ends completed or failed (its record says why); a
 * record is reported failed to the queue only when its end could not be recorded, so that
 * the queue delivers it again and a later run takes the job over.
 */
export const handler = withMetrics(async function runExportJobs(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  async function runRecord(record: SQSRecord) {
    const message = JSON.parse(record.body) as ExportJobMessage;
    const outcome = await runExport(message, {
      exports,
      write: (job) => writeFile(job, () => context.getRemainingTimeInMillis()),
      // A paused job goes on in another invocation: queued again, on its own queue.
      queue: exportQueue,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      // The lease outlives this invocation: no other run takes the job over while this one may still write.
      leaseMs: context.getRemainingTimeInMillis() + 60_000,
      log: (name, fields) => logger.warn(name, fields),
    });
    logger.info('export job', { export_id: message.exportId, workspace_id: message.workspaceId, outcome });
  }
  return processPartialResponse(event, runRecord, processor, { context });
});
