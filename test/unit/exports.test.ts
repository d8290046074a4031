import { describe, expect, it, jest } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { DependencyUnavailableError, ForbiddenError } from '../../shared/errors.ts';
import { csvLine, writeXlsx } from '../../shared/exports/export-file.ts';
import type { ReportTable } from '../../shared/exports/report-table.ts';
import { CSV_OPTIONS, neutralised } from '../../shared/http/csv-response.ts';
import {
  exportErrorOf,
  MAX_EXPORT_RUNS,
  ORPHAN_JOB_GRACE_MS,
  queuedExportJob,
  runExport,
  type ExportJob,
  type ExportJobMessage,
  type ExportRepository,
  type ExportWrite,
} from '../../shared/tracking/exports.ts';

/** Export jobs' rules, with the records held in memory (the DynamoDB repository's own conditions are tested on DynamoDB Local: test/e2e/exports.test.ts). */
const NOW = Date.parse('2024-02-01T09:00:00Z');

const job = (changed: Partial<ExportJob> = {}): ExportJob => ({
  ...queuedExportJob({
    exportId: '0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3',
    workspaceId: 1,
    report: 'detailed',
    format: 'csv',
    parameters: { from: '2024-01-01', to: '2024-01-31' },
    createdAt: '2024-02-01T08:59:00+00:00',
    createdBy: 100,
  }),
  ...changed,
});

/** Records in memory, with the repository's conditions: a claim only of a queued job or one whose lease passed, an end only at the revision claimed. */
function memoryExports(initial: ExportJob | undefined) {
  let stored = initial;
  const repository: ExportRepository = {
    create: async (created) => {
      stored = created;
    },
    get: async () => stored,
    list: async () => ({ jobs: stored ? [stored] : [], nextCursor: null }),
    claim: async (seen, claim) => {
      if (!stored || stored.revision !== seen.revision) return undefined;
      if (!(stored.status === 'queued' || (stored.status === 'running' && (stored.leaseUntil ?? 0) <= claim.now))) return undefined;
      stored = { ...stored, status: 'running', startedAt: claim.startedAt, leaseUntil: claim.leaseUntil, revision: stored.revision + 1, attempts: stored.attempts + 1 };
      return stored;
    },
    finish: async (held, end) => {
      if (!stored || stored.revision !== held.revision) throw new Error('changed');
      stored = { ...stored, ...end, leaseUntil: null, checkpoint: null, revision: stored.revision + 1 };
      return stored;
    },
    pause: async (held, checkpoint) => {
      if (!stored || stored.revision !== held.revision) throw new Error('changed');
      stored = { ...stored, checkpoint, leaseUntil: 0, attempts: 0, revision: stored.revision + 1 };
      return stored;
    },
  };
  return { repository, stored: () => stored };
}

const message = { workspaceId: 1, exportId: '0194f3a2b4c1d2e3f4a5b6c7d8e9f0a1b2c3', queuedAt: '2024-02-01T08:59:00+00:00' };
/** A clock that moves only when the run sleeps: what the run waits is measured, never spent. */
const deps = (exports: ExportRepository, write: () => Promise<ExportWrite> = async () => ({ done: { rowCount: 3, bytes: 120 } }), start = NOW) => {
  let now = start;
  return {
    exports,
    write: jest.fn<(job: ExportJob) => Promise<ExportWrite>>(write),
    queue: { send: jest.fn(async (_message: ExportJobMessage) => {}) },
    now: () => new Date(now),
    sleep: jest.fn(async (ms: number) => {
      now += ms;
    }),
    leaseMs: 60_000,
  };
};

describe('an export job run', () => {
  it('claims a queued job, writes its file once and records it completed with its rows and bytes', async () => {
    const memory = memoryExports(job());
    const run = deps(memory.repository);
    expect(await runExport(message, run)).toBe('completed');
    expect(run.write).toHaveBeenCalledTimes(1);
    expect(memory.stored()).toMatchObject({ status: 'completed', rowCount: 3, bytes: 120, error: null, attempts: 1, leaseUntil: null, revision: 3 });
  });

  it('drops a copy of the message while a run holds the job, and once it has ended: no second file, the first kept', async () => {
    const running = memoryExports(job({ status: 'running', leaseUntil: NOW + 30_000, attempts: 1, revision: 2 }));
    const duplicate = deps(running.repository);
    expect(await runExport(message, duplicate)).toBe('skipped');
    expect(duplicate.write).not.toHaveBeenCalled();
    const ended = memoryExports(job({ status: 'completed', rowCount: 3, bytes: 120, completedAt: '2024-02-01T09:00:00+00:00', revision: 3, attempts: 1 }));
    const late = deps(ended.repository);
    expect(await runExport(message, late)).toBe('skipped');
    expect(late.write).not.toHaveBeenCalled();
    expect(ended.stored()).toMatchObject({ status: 'completed', rowCount: 3 });
  });

  it('takes over a job whose run died (its lease passed), and fails it once its runs died more than twice', async () => {
    const died = memoryExports(job({ status: 'running', leaseUntil: NOW - 1, attempts: 1, revision: 2 }));
    expect(await runExport(message, deps(died.repository))).toBe('completed');
    expect(died.stored()).toMatchObject({ status: 'completed', attempts: 2 });
    const diedAgain = memoryExports(job({ status: 'running', leaseUntil: NOW - 1, attempts: MAX_EXPORT_RUNS, revision: 4 }));
    const last = deps(diedAgain.repository);
    expect(await runExport(message, last)).toBe('failed');
    expect(last.write).not.toHaveBeenCalled();
    expect(diedAgain.stored()).toMatchObject({ status: 'failed', error: { code: 'run_out_of_time' } });
  });

  it('ends a run whose reads fail as failed with a stable code, never running, and says nothing of the cause', async () => {
    const memory = memoryExports(job());
    const failing = deps(memory.repository, async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000 table time-tracking'), { $metadata: { httpStatusCode: 500 } });
    });
    expect(await runExport(message, failing)).toBe('failed');
    expect(memory.stored()).toMatchObject({ status: 'failed', error: { code: 'source_unavailable' }, rowCount: null });
    expect(JSON.stringify(memory.stored()!.error)).not.toMatch(/ECONNREFUSED|8000|time-tracking/);
  });

  it('throws (the queue delivers it again) when the end cannot be recorded, and a later run takes the job over', async () => {
    const memory = memoryExports(job());
    const broken = { ...memory.repository, finish: async () => Promise.reject(new DependencyUnavailableError()) };
    await expect(runExport(message, deps(broken))).rejects.toThrow(DependencyUnavailableError);
    expect(memory.stored()).toMatchObject({ status: 'running' });
    // Redelivered after the visibility timeout: the lease has passed.
    expect(await runExport(message, deps(memory.repository, undefined, NOW + 120_000))).toBe('completed');
  });

  it('waits for the record of a job queued just now, and drops one whose record never came', async () => {
    // The record comes on the third read.
    const late = memoryExports(job());
    let reads = 0;
    const slow = { ...late.repository, get: async () => (++reads >= 3 ? late.stored() : undefined) };
    const waiting = deps(slow, undefined, Date.parse(message.queuedAt) + 10);
    expect(await runExport(message, waiting)).toBe('completed');
    expect(waiting.sleep.mock.calls.map(([ms]) => ms)).toEqual([100, 200]);
    // Never: waited until the grace has passed since it was queued, then dropped, nothing written.
    const none = memoryExports(undefined);
    const orphan = deps(none.repository, undefined, Date.parse(message.queuedAt) + 10);
    expect(await runExport(message, orphan)).toBe('orphan');
    expect(orphan.now().getTime()).toBeGreaterThanOrEqual(Date.parse(message.queuedAt) + ORPHAN_JOB_GRACE_MS);
    expect(orphan.now().getTime()).toBeLessThan(Date.parse(message.queuedAt) + ORPHAN_JOB_GRACE_MS + 2000);
    expect(orphan.write).not.toHaveBeenCalled();
  });

  it('pauses a run at its checkpoint: kept with the job, its lease given up, its runs counted afresh, and the job queued again', async () => {
    const memory = memoryExports(job({ status: 'running', leaseUntil: NOW - 1, attempts: 1, revision: 2 }));
    const checkpoint = { uploadId: 'u', parts: [{ number: 1, etag: '"e1"' }], after: { start: 1_700_000_000, entryId: 'e' }, rows: 40_000, bytes: 5_300_000 };
    const paused = deps(memory.repository, async () => ({ paused: checkpoint }));
    expect(await runExport(message, paused)).toBe('paused');
    expect(memory.stored()).toMatchObject({ status: 'running', checkpoint, leaseUntil: 0, attempts: 0 });
    expect(paused.queue.send).toHaveBeenCalledWith({ workspaceId: 1, exportId: message.exportId, queuedAt: expect.any(String) });
    // The next run claims it at once, is given the checkpoint, and ends it: the checkpoint goes with the end.
    const next = deps(memory.repository);
    expect(await runExport(message, next)).toBe('completed');
    expect(next.write).toHaveBeenCalledWith(expect.objectContaining({ checkpoint, attempts: 1 }));
    expect(memory.stored()).toMatchObject({ status: 'completed', checkpoint: null });
  });

  it('names every failure by a code: its creator lost the role, the data unreadable, anything else', () => {
    expect(exportErrorOf(new ForbiddenError()).code).toBe('forbidden');
    expect(exportErrorOf(new DependencyUnavailableError()).code).toBe('source_unavailable');
    expect(exportErrorOf(Object.assign(new Error('x'), { name: 'TimeoutError' })).code).toBe('source_unavailable');
    expect(exportErrorOf(new TypeError('undefined is not a function'))).toEqual({ code: 'internal_error', message: expect.not.stringContaining('undefined') });
  });
});

describe('an export file', () => {
  const header = ['id', 'date', 'user_id', 'activity_description', 'start_time', 'seconds', 'hours', 'billable', 'hourly_rate', 'amount', 'currency'];
  const rows = [
    ['e1', '2024-01-10', 101, '=SUM(A1)', '2024-01-10T09:00:00+00:00', 7200, '2.00', true, '80.00', '160.00', 'EUR'],
    ['e2', '2024-01-11', 102, 'line\nbreak', '2024-01-11T09:30:00+00:00', 5400, '1.50', false, '', '', ''],
    ['e3', '2024-01-12', 101, '', '2024-01-12T10:00:00+00:00', 60, '0.02', true, '1000', '17', 'JPY'],
  ];
  const table = (): ReportTable => ({
    header,
    rows: (async function* () {
      yield* rows;
    })(),
    timeZone: 'Europe/Berlin',
    rounding: null,
  });
  const written = async (format: 'csv' | 'xlsx') => {
    if (format === 'csv') {
      // As the worker puts a CSV together: its header's line, then each row's.
      const source = table();
      const lines = [csvLine(source.header)];
      for await (const row of source.rows) lines.push(csvLine(row));
      return { count: lines.length - 1, bytes: Buffer.concat(lines) };
    }
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const count = await writeXlsx(table(), [['report', 'detailed']], sink);
    return { count, bytes: Buffer.concat(chunks) };
  };

  it('is, as CSV, byte for byte what the report answers as CSV: header row, CRLF, formulas neutralised', async () => {
    const { count, bytes } = await written('csv');
    expect(count).toBe(3);
    expect(bytes.toString('utf8')).toBe(
      stringify(
        [header, ...rows].map((row) => row.map(neutralised)),
        CSV_OPTIONS,
      ),
    );
    expect((parse(bytes) as string[][])[1]![3]).toBe("'=SUM(A1)");
  });

  it('is, as XLSX, one sheet of typed cells and a Parameters sheet, read back by a library', async () => {
    const { count, bytes } = await written('xlsx');
    expect(count).toBe(3);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Rows', 'Parameters']);
    const sheet = workbook.getWorksheet('Rows')!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...header]);
    const first = sheet.getRow(2);
    expect(first.getCell(2).value).toEqual(new Date('2024-01-10T00:00:00Z'));
    expect(first.getCell(4).value).toBe('=SUM(A1)'); // a string cell, never a formula
    expect(first.getCell(5).value).toEqual(new Date('2024-01-10T09:00:00Z'));
    expect(first.getCell(6).value).toBe(7200);
    expect(first.getCell(7)).toMatchObject({ value: 2, numFmt: '0.00' });
    expect(first.getCell(8).value).toBe(true);
    expect(first.getCell(10)).toMatchObject({ value: 160, numFmt: '#,##0.00 "EUR"' });
    expect(sheet.getRow(3).getCell(10).value).toBeNull();
    expect(sheet.getRow(4).getCell(10)).toMatchObject({ value: 17, numFmt: '#,##0 "JPY"' });
    expect(workbook.getWorksheet('Parameters')!.getRow(2).values).toEqual([undefined, 'report', 'detailed']);
  });
});
