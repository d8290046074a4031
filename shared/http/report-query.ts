import { checkedTimeZone } from '../tracking/list-time-entries.ts';
import { ValidationError } from '../errors.ts';
import type { ExportParameters, ExportReport } from '../tracking/exports.ts';
import type { WorkspaceSettings } from '../tracking/model.ts';
import { checkedDimensions, checkedReportRange, checkedRoundingOverride, idList, lastDayOfWeek, weekOf, type Filters, type ReportQuery } from '../tracking/reports.ts';
import type { ApprovalFilter } from '../tracking/timesheet-periods.ts';

/** The query fields every report reads (validated by its schema first: these are strings and coerced numbers). */
export type ReportQueryInput = {
  workspace_id: number;
  tz?: string;
  user_ids?: string;
  project_ids?: string;
  contract_ids?: string;
  task_ids?: string;
  billable?: 'true' | 'false';
  rounding_minutes?: number;
  rounding_mode?: string;
  approval?: ApprovalFilter;
};

/** The filters and the rounding override of a report's query, checked (422 on the field). */
export function reportFiltersOf(input: ReportQueryInput): Omit<ReportQuery, 'from' | 'to'> {
  const filters: Filters = {
    ...optional('userIds', idList('user_ids', input.user_ids, { none: false }) as number[] | undefined),
    ...optional('projectIds', idList('project_ids', input.project_ids, { none: true })),
    ...optional('contractIds', idList('contract_ids', input.contract_ids, { none: false }) as number[] | undefined),
    ...optional('taskIds', idList('task_ids', input.task_ids, { none: true })),
    ...optional('billable', input.billable === undefined ? undefined : input.billable === 'true'),
    ...optional('approval', input.approval),
  };
  const timeZone = checkedTimeZone(input.tz);
  const rounding = checkedRoundingOverride(input.rounding_minutes, input.rounding_mode);
  return { workspaceId: input.workspace_id, filters, ...optional('timeZone', timeZone), ...optional('rounding', rounding) };
}

/** The whole query of a report over `from`..`to` (`start_date`/`end_date` in the tracked-hours report). */
export function reportQueryOf(input: ReportQueryInput & { from?: string; to?: string; start_date?: string; end_date?: string }): ReportQuery {
  const range =
    input.start_date !== undefined || input.end_date !== undefined
      ? checkedReportRange({ from: input.start_date, to: input.end_date }, { from: 'start_date', to: 'end_date' })
      : checkedReportRange({ from: input.from, to: input.to });
  return { ...reportFiltersOf(input), ...range };
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/** An export's body (POST /exports): the report's parameters beside the workspace, the report and the format. */
export type ExportBody = ReportQueryInput & { report: ExportReport; from: string; to: string; group_by?: string } & Record<string, unknown>;

/**
 * An export's parameters, checked exactly as its report checks its own (422 on the field)
 * before anything is queued: the range, zone, filters and rounding of every report; the
 * summary's `group_by`; a weekly export's week (`from` its first day by the workspace's
 * `week_start`, `to` its last), which needs the settings (`checkWithSettings`).
 */
export function exportParametersOf(body: ExportBody): { parameters: ExportParameters; checkWithSettings: (settings: WorkspaceSettings) => void } {
  reportQueryOf(body);
  if (body.report === 'timesheets') {
    // Timesheets are periods of the workspace's zone and of whole members: a range, nothing else.
    const others = Object.keys(body).filter((name) => !['workspace_id', 'report', 'format', 'from', 'to'].includes(name));
    if (others.length > 0) throw new ValidationError(Object.fromEntries(others.map((name) => [name, [`The timesheets report has no ${name.replace('_', ' ')} field: it takes a range only.`]])));
  } else if (body.report === 'summary') checkedDimensions(body.group_by ?? '');
  else if (body.report === 'weekly') {
    if (body.group_by !== undefined && body.group_by !== 'user' && body.group_by !== 'project') throw new ValidationError({ group_by: ['The group by field must be user or project.'] });
    if (body.to !== lastDayOfWeek(body.from)) throw new ValidationError({ to: ['The to field must be the last day of the week that from starts.'] });
  } else if (body.group_by !== undefined) throw new ValidationError({ group_by: [`The ${body.report} report has no group by field.`] });
  const { workspace_id: _workspace, report: _report, format: _format, ...parameters } = body;
  return {
    parameters: parameters as ExportParameters,
    checkWithSettings: (settings) => {
      if (body.report === 'weekly' && weekOf(body.from, settings.weekStart) !== body.from)
        throw new ValidationError({ from: [`The from field must be the first day of a week: weeks start on ${settings.weekStart === 'monday' ? 'Monday' : 'Sunday'} in this workspace.`] });
    },
  };
}
