import { checkedTimeZone } from '../tracking/list-time-entries.ts';
import { checkedReportRange, checkedRoundingOverride, idList, type Filters, type ReportQuery } from '../tracking/reports.ts';
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
