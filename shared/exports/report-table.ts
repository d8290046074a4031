import { detailedCsv, summaryCsv, trackedHoursCsv, weeklyCsv, type CsvCell } from '../contracts/report-views.ts';
import { reportQueryOf, type ReportQueryInput } from '../http/report-query.ts';
import type { ExportJob } from '../tracking/exports.ts';
import type { Rounding } from '../tracking/rounding.ts';
import { checkedDimensions, figuresOf, loadReportBasis, summaryReport, trackedHoursReport, weeklyReport, type ReportRepository } from '../tracking/reports.ts';
import type { TrackingRepository } from '../tracking/ports.ts';

/** A report as rows: the CSV answer's header and rows (docs/reports.md, "CSV"), the rows produced a page at a time where the report is long. */
export type ReportTable = { header: string[]; rows: AsyncIterable<CsvCell[]>; timeZone: string; rounding: Rounding | null };

/** The detailed report's entries are read in full this many at a time (BatchGetItem, 100 a call): what the worker holds of them at once. */
export const DETAILED_PAGE = 500;

type Deps = { repository: TrackingRepository; reports: ReportRepository };

/**
 * The table of an export: the same use case and the same CSV rows as the report's own route
 * with `Accept: text/csv`, run as the export's creator (who must still manage the workspace).
 * The detailed report, the one whose rows grow with the range, is read and yielded a page of
 * entries at a time, so that no more than a page of full entries is ever held.
 */
export async function reportTableOf(job: ExportJob, deps: Deps): Promise<ReportTable> {
  const input = { ...(job.parameters as unknown as ReportQueryInput & { from: string; to: string; group_by?: string }), workspace_id: job.workspaceId };
  const query = reportQueryOf(input);
  const actor = job.createdBy;
  const split = (table: { rows: CsvCell[][] }) => ({ header: table.rows[0]!.map(String), rest: table.rows.slice(1) });
  const once = (rows: CsvCell[][]) =>
    (async function* () {
      yield* rows;
    })();

  if (job.report === 'detailed') {
    const basis = await loadReportBasis(actor, query, deps);
    const totals = figuresOf(basis.entries);
    const pageTable = async (from: number) => {
      const page = basis.entries.slice(from, from + DETAILED_PAGE);
      const full = new Map(
        (
          await deps.reports.entriesById(
            job.workspaceId,
            page.map((entry) => entry.entryId),
          )
        ).map((entry) => [entry.entryId, entry]),
      );
      const rows = page.flatMap((priced) => {
        const entry = full.get(priced.entryId);
        return entry ? [{ entry, priced }] : [];
      });
      return split(detailedCsv({ ...basis, rows, totals, nextCursor: null }, job.workspaceId));
    };
    const first = await pageTable(0);
    return {
      header: first.header,
      timeZone: basis.timeZone,
      rounding: basis.rounding,
      rows: (async function* () {
        yield* first.rest;
        for (let from = DETAILED_PAGE; from < basis.entries.length; from += DETAILED_PAGE) yield* (await pageTable(from)).rest;
      })(),
    };
  }
  if (job.report === 'summary') {
    const dimensions = checkedDimensions(String(input.group_by ?? ''));
    const report = await summaryReport(actor, { ...query, dimensions }, deps);
    const table = split(summaryCsv(report, job.workspaceId, dimensions));
    return { header: table.header, rows: once(table.rest), timeZone: report.timeZone, rounding: report.rounding };
  }
  if (job.report === 'weekly') {
    const groupBy = input.group_by === 'project' ? 'project' : 'user';
    const report = await weeklyReport(actor, { ...query, week: query.from, groupBy }, deps);
    const table = split(weeklyCsv(report, job.workspaceId, groupBy));
    return { header: table.header, rows: once(table.rest), timeZone: report.timeZone, rounding: report.rounding };
  }
  const report = await trackedHoursReport(actor, query, deps);
  const table = split(trackedHoursCsv(report, job.workspaceId));
  return { header: table.header, rows: once(table.rest), timeZone: report.timeZone, rounding: report.rounding };
}
