import { detailedCsv, summaryCsv, timesheetsCsv, trackedHoursCsv, weeklyCsv, type CsvCell } from '../contracts/report-views.ts';
import { reportQueryOf, type ReportQueryInput } from '../http/report-query.ts';
import type { ExportJob } from '../tracking/exports.ts';
import type { Rounding } from '../tracking/rounding.ts';
import { checkedDimensions, reportBasisByMonth, summaryReport, trackedHoursReport, weeklyReport, type Figures, type PricedEntry, type ReportRepository } from '../tracking/reports.ts';
import type { TrackingRepository } from '../tracking/ports.ts';
import { listTimesheets, type TimesheetDeps } from '../tracking/timesheets.ts';

/**
 * A report as rows: the CSV answer's header and rows (docs/reports.md, "CSV"), the rows
 * produced a page at a time where the report is long. `position`, where rows follow entries
 * (the detailed report): the entry of the row last yielded, where a later run can go on from.
 */
export type ReportTable = {
  header: string[];
  rows: AsyncIterable<CsvCell[]>;
  timeZone: string;
  rounding: Rounding | null;
  position?: () => { start: number; entryId: string } | undefined;
};

const NO_FIGURES: Figures = { seconds: 0, billableSeconds: 0, entries: 0, amounts: [] };

/** The detailed report's entries are read in full this many at a time (BatchGetItem, 100 a call), the next page while one is written: what the worker holds of them at once. */
export const DETAILED_PAGE = 500;

type Deps = { repository: TrackingRepository; reports: ReportRepository; timesheets: TimesheetDeps };

/**
 * The table of an export: the same use case and the same CSV rows as the report's own route
 * with `Accept: text/csv`, run as the export's creator (who must still manage the workspace).
 * The detailed report, the one whose rows grow with the range, is read a UTC month of its
 * index at a time (reportBasisByMonth) and a page of full entries at a time, so that what is
 * held is one month of the index and two pages of entries, whatever the range.
 */
export async function reportTableOf(job: ExportJob, deps: Deps, after?: { start: number; entryId: string }): Promise<ReportTable> {
  const input = { ...(job.parameters as unknown as ReportQueryInput & { from: string; to: string; group_by?: string }), workspace_id: job.workspaceId };
  const query = reportQueryOf(input);
  const actor = job.createdBy;
  const split = (table: { rows: CsvCell[][] }) => ({ header: table.rows[0]!.map(String), rest: table.rows.slice(1) });
  const once = (rows: CsvCell[][]) =>
    (async function* () {
      yield* rows;
    })();

  if (job.report === 'detailed') {
    const basis = await reportBasisByMonth(actor, query, deps, after);
    // The CSV's rows of a page of entries, each with its entry's position: each read in full by id (one gone since is left out, as in the report).
    const rowsOf = async (page: readonly PricedEntry[]) => {
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
      const cells = split(detailedCsv({ ...basis, entries: [], rows, totals: NO_FIGURES, nextCursor: null }, job.workspaceId)).rest;
      return cells.map((row, index) => ({ row, position: { start: rows[index]!.priced.start, entryId: rows[index]!.priced.entryId } }));
    };
    let position: { start: number; entryId: string } | undefined = after;
    return {
      header: split(detailedCsv({ ...basis, entries: [], rows: [], totals: NO_FIGURES, nextCursor: null }, job.workspaceId)).header,
      timeZone: basis.timeZone,
      rounding: basis.rounding,
      position: () => position,
      rows: (async function* () {
        for await (const month of basis.months) {
          // The next page is read while this one is written.
          let next = month.length > 0 ? rowsOf(month.slice(0, DETAILED_PAGE)) : undefined;
          for (let from = 0; next; from += DETAILED_PAGE) {
            const current = next;
            next = from + DETAILED_PAGE < month.length ? rowsOf(month.slice(from + DETAILED_PAGE, from + 2 * DETAILED_PAGE)) : undefined;
            // A failed read ahead surfaces when it is awaited.
            next?.catch(() => {});
            for (const { row, position: at } of await current) {
              position = at;
              yield row;
            }
          }
        }
      })(),
    };
  }
  if (job.report === 'timesheets') {
    // Every member's timesheets of the range, as GET /timesheets lists them (all its pages), in the workspace's zone.
    const listed = await listTimesheets(actor, { workspaceId: job.workspaceId, from: query.from, to: query.to, page: 1, perPage: Number.MAX_SAFE_INTEGER, forSelf: false }, deps.timesheets);
    const table = split(timesheetsCsv(listed.timesheets, job.workspaceId, query.from, query.to));
    return { header: table.header, rows: once(table.rest), timeZone: 'the workspace’s', rounding: null };
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
