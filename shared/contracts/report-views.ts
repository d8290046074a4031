import type { RouteData } from './route-types.ts';
import { majorUnits } from '../tracking/currencies.ts';
import type { Money } from '../tracking/money.ts';
import type { DetailedReport, Figures, PricedEntry, ReportBasis, SummaryGroup, SummaryReport, TrackedHoursDay, WeeklyReport } from '../tracking/reports.ts';
import type { Timesheet } from '../tracking/timesheets.ts';
import { timeEntryView } from './views.ts';

/**
 * The reports as the API shows them, in JSON and as CSV tables (docs/reports.md "CSV"): a
 * CSV has a header row, durations as seconds and as decimal hours (2 places), and amounts in
 * the currency's major units with a currency column: one row per currency, so that no cell
 * ever adds two currencies.
 */
export type CsvCell = string | number | boolean | null;
export type CsvTable = { filename: string; rows: CsvCell[][] };

const figuresView = (figures: Figures) => ({ seconds: figures.seconds, billable_seconds: figures.billableSeconds, entries: figures.entries, amounts: figures.amounts });
const head = (basis: Pick<ReportBasis, 'from' | 'to' | 'timeZone' | 'rounding'>) => ({ from: basis.from, to: basis.to, time_zone: basis.timeZone, rounding: basis.rounding });

/** Hours with 2 decimals, from whole seconds, rounded half up (3.005 h never reads 3.00 through a float). */
export const hours = (seconds: number) => {
  const hundredths = Math.floor((seconds * 100 + 1800) / 3600);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
};

type GroupView = { key: Record<string, string | number | null>; seconds: number; billable_seconds: number; entries: number; amounts: Money[]; groups?: GroupView[] };
const groupView = (group: SummaryGroup): GroupView => ({ key: group.key, ...figuresView(group.figures), ...(group.groups ? { groups: group.groups.map(groupView) } : {}) });

export function summaryView(report: SummaryReport, groups: readonly SummaryGroup[]): RouteData<'summaryReport'> {
  return { ...head(report), totals: figuresView(report.totals), groups: groups.map(groupView) as RouteData<'summaryReport'>['groups'] };
}

/** The amounts of a row as CSV rows: one per currency (none billable: one row with empty amount and currency). */
const withAmounts = (cells: CsvCell[], amounts: readonly Money[]): CsvCell[][] => (amounts.length === 0 ? [[...cells, '', '']] : amounts.map((money) => [...cells, majorUnits(money), money.currency]));

const filename = (report: string, workspaceId: number, from: string, to: string) => `${report}-${workspaceId}-${from}-${to}.csv`;

export function summaryCsv(report: SummaryReport, workspaceId: number, dimensions: readonly string[]): CsvTable {
  const keyNames = dimensions.map((dimension) => ({ user: 'user_id', project: 'project_id', contract: 'contract_id', task: 'task_id', day: 'date', week: 'week', month: 'month' })[dimension]!);
  const rows: CsvCell[][] = [[...keyNames, 'seconds', 'hours', 'billable_seconds', 'billable_hours', 'entries', 'amount', 'currency']];
  const walk = (groups: readonly SummaryGroup[], keys: CsvCell[]) => {
    for (const group of groups) {
      const own = [...keys, Object.values(group.key)[0] ?? ''];
      if (group.groups) walk(group.groups, own);
      else
        rows.push(
          ...withAmounts(
            [...own, group.figures.seconds, hours(group.figures.seconds), group.figures.billableSeconds, hours(group.figures.billableSeconds), group.figures.entries],
            group.figures.amounts,
          ),
        );
    }
  };
  walk(report.groups, []);
  return { filename: filename('summary', workspaceId, report.from, report.to), rows };
}

const pricedFields = (priced: PricedEntry) => ({ rounded_seconds: priced.roundedSeconds, billable: priced.billable, hourly_rate: priced.hourlyRate, amount: priced.amount });

export function detailedView(report: DetailedReport): RouteData<'detailedReport'> {
  return { ...head(report), entries: report.rows.map(({ entry, priced }) => ({ ...timeEntryView(entry), ...pricedFields(priced) })), totals: figuresView(report.totals) };
}

export function detailedCsv(report: DetailedReport, workspaceId: number): CsvTable {
  const rows: CsvCell[][] = [
    [
      'id',
      'date',
      'user_id',
      'project_id',
      'contract_id',
      'task_id',
      'activity_description',
      'start_time',
      'end_time',
      'seconds',
      'rounded_seconds',
      'hours',
      'billable',
      'hourly_rate',
      'amount',
      'currency',
    ],
  ];
  for (const { entry, priced } of report.rows) {
    const rate = priced.hourlyRate;
    rows.push([
      entry.entryId,
      priced.date,
      entry.userId,
      entry.projectId,
      entry.contractId,
      entry.taskId,
      entry.activityDescription,
      entry.startTime,
      entry.endTime,
      priced.seconds,
      priced.roundedSeconds,
      hours(priced.roundedSeconds),
      priced.billable,
      rate ? majorUnits(rate) : '',
      priced.amount ? majorUnits(priced.amount) : '',
      priced.amount?.currency ?? rate?.currency ?? '',
    ]);
  }
  return { filename: filename('detailed', workspaceId, report.from, report.to), rows };
}

export function weeklyView(report: WeeklyReport): RouteData<'weeklyReport'> {
  return {
    week: report.week,
    days: report.days,
    time_zone: report.timeZone,
    rounding: report.rounding,
    rows: report.rows.map((row) => ({ key: row.key, seconds: row.seconds, total_seconds: row.totalSeconds, amounts: row.amounts })),
    totals: { seconds: report.totals.seconds, total_seconds: report.totals.totalSeconds, amounts: report.totals.amounts },
  } as RouteData<'weeklyReport'>;
}

export function weeklyCsv(report: WeeklyReport, workspaceId: number, groupBy: 'user' | 'project'): CsvTable {
  const rows: CsvCell[][] = [[groupBy === 'user' ? 'user_id' : 'project_id', ...report.days, 'total_seconds', 'total_hours', 'amount', 'currency']];
  for (const row of report.rows) rows.push(...withAmounts([Object.values(row.key)[0] ?? '', ...row.seconds, row.totalSeconds, hours(row.totalSeconds)], row.amounts));
  return { filename: filename('weekly', workspaceId, report.days[0]!, report.days[6]!), rows };
}

export function trackedHoursView(days: readonly TrackedHoursDay[]): RouteData<'trackedHoursReport'> {
  return days.map((day) => ({
    date: day.date,
    users: day.users.map((user) => ({
      user_id: user.userId,
      total_minutes: Math.floor(user.totalSeconds / 60),
      total_seconds: user.totalSeconds,
      amounts: user.amounts,
      projects: user.projects.map((project) => ({ project_id: project.projectId, contract_id: project.contractId, total_seconds: project.totalSeconds, amounts: project.amounts })),
    })),
  }));
}

export function trackedHoursCsv(report: { from: string; to: string; days: readonly TrackedHoursDay[] }, workspaceId: number): CsvTable {
  const rows: CsvCell[][] = [['date', 'user_id', 'project_id', 'contract_id', 'seconds', 'hours', 'amount', 'currency']];
  for (const day of report.days)
    for (const user of day.users)
      for (const project of user.projects)
        rows.push(...withAmounts([day.date, user.userId, project.projectId, project.contractId, project.totalSeconds, hours(project.totalSeconds)], project.amounts));
  return { filename: filename('tracked-hours', workspaceId, report.from, report.to), rows };
}

/** The timesheets of a range (an export's `timesheets` report): one row per member and period, as GET /timesheets lists them, then one row per currency of its amounts. */
export function timesheetsCsv(timesheets: readonly Timesheet[], workspaceId: number, from: string, to: string): CsvTable {
  const rows: CsvCell[][] = [
    [
      'id',
      'user_id',
      'period_start',
      'period_end',
      'status',
      'seconds',
      'hours',
      'billable_seconds',
      'billable_hours',
      'entries',
      'submitted_at',
      'submitted_by',
      'decided_at',
      'decided_by',
      'amount',
      'currency',
    ],
  ];
  for (const sheet of timesheets) {
    const { record, figures } = sheet;
    rows.push(
      ...withAmounts(
        [
          sheet.id,
          sheet.userId,
          sheet.period.start,
          sheet.period.end,
          record.status,
          figures.totalSeconds,
          hours(figures.totalSeconds),
          figures.billableSeconds,
          hours(figures.billableSeconds),
          figures.entries,
          record.submittedAt,
          record.submittedBy,
          record.decidedAt,
          record.decidedBy,
        ],
        figures.amounts,
      ),
    );
  }
  return { filename: filename('timesheets', workspaceId, from, to), rows };
}
