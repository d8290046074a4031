import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadExportBucketConfig } from '../../shared/config/export-config.ts';
import { documentClient, databaseConfig, reportRepository, trackingRepository } from '../../shared/db/default-repositories.ts';
import { createExportRepository } from '../../shared/db/export-repository.ts';
import { writeExportFile, type ExportHeading } from '../../shared/exports/export-file.ts';
import { reportTableOf } from '../../shared/exports/report-table.ts';
import { logger } from '../../shared/observability/logger.ts';
import { withMetrics } from '../../shared/observability/metrics.ts';
import { s3Client } from '../../shared/storage/s3-client.ts';
import { CONTENT_TYPES, s3FileSink } from '../../shared/storage/s3-export-files.ts';
import { runExport, type ExportJob, type ExportJobMessage } from '../../shared/tracking/exports.ts';

const { bucket } = loadExportBucketConfig();
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

/** Writes one job's file into the bucket as its rows are read (shared/storage/s3-export-files.ts). */
async function writeFile(job: ExportJob) {
  const table = await reportTableOf(job, { repository: trackingRepository, reports: reportRepository });
  const sink = s3FileSink(s3Client, bucket, job.objectKey, CONTENT_TYPES[job.format]);
  // Both must settle: a failed upload stops the writer (its stream is destroyed), a failed read leaves the upload unfinished.
  const [rowCount, stored] = await Promise.all([
    writeExportFile(job.format, table, headingOf(job, table), sink.stream).catch((error: unknown) => {
      sink.stream.destroy(error as Error);
      throw error;
    }),
    sink.done,
  ]);
  return { rowCount, bytes: stored.bytes };
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
      write: writeFile,
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
