import * as validators from '../../shared/contracts/generated/validators/trackedHoursReport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { trackedHoursCsv, trackedHoursView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { reportQueryOf } from '../../shared/http/report-query.ts';
import { trackedHoursReport } from '../../shared/tracking/reports.ts';

/** GET /reports/tracked-hours */
export const handler = createHttpHandler(routes.trackedHoursReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => ({
    data: trackedHoursView((await trackedHoursReport(principal.userId, reportQueryOf(input), { repository, reports: reportRepository })).days),
  }),
  csv: {
    run: async (input, { principal, repository }) => trackedHoursCsv(await trackedHoursReport(principal.userId, reportQueryOf(input), { repository, reports: reportRepository }), input.workspace_id),
  },
});
