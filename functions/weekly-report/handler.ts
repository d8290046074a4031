import * as validators from '../../shared/contracts/generated/validators/weeklyReport.js';
import type { RouteInput } from '../../shared/contracts/route-types.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { weeklyCsv, weeklyView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler, type UseCaseContext } from '../../shared/http/create-http-handler.ts';
import { reportFiltersOf } from '../../shared/http/report-query.ts';
import { weeklyReport } from '../../shared/tracking/reports.ts';

/** The report both answers are made of. */
const reportOf = (input: RouteInput<'weeklyReport'>, { principal, repository }: UseCaseContext<'weeklyReport'>) =>
  weeklyReport(principal.userId, { ...reportFiltersOf(input), week: input.week, groupBy: input.group_by ?? 'user' }, { repository, reports: reportRepository });

/** GET /reports/weekly */
export const handler = createHttpHandler(routes.weeklyReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, context) => ({ data: weeklyView(await reportOf(input, context)) }),
  csv: { run: async (input, context) => weeklyCsv(await reportOf(input, context), input.workspace_id, input.group_by ?? 'user') },
});
