import * as validators from '../../shared/contracts/generated/validators/weeklyReport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { weeklyCsv, weeklyView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { reportFiltersOf } from '../../shared/http/report-query.ts';
import { weeklyReport } from '../../shared/tracking/reports.ts';

/** GET /reports/weekly */
export const handler = createHttpHandler(routes.weeklyReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => ({
    data: weeklyView(await weeklyReport(principal.userId, { ...reportFiltersOf(input), week: input.week, groupBy: input.group_by ?? 'user' }, { repository, reports: reportRepository })),
  }),
  csv: {
    run: async (input, { principal, repository }) => {
      const groupBy = input.group_by ?? 'user';
      return weeklyCsv(await weeklyReport(principal.userId, { ...reportFiltersOf(input), week: input.week, groupBy }, { repository, reports: reportRepository }), input.workspace_id, groupBy);
    },
  },
});
