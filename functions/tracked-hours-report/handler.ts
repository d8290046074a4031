import * as validators from '../../shared/contracts/generated/validators/trackedHoursReport.js';
import type { RouteInput } from '../../shared/contracts/route-types.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { trackedHoursCsv, trackedHoursView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler, type UseCaseContext } from '../../shared/http/create-http-handler.ts';
import { reportQueryOf } from '../../shared/http/report-query.ts';
import { trackedHoursReport } from '../../shared/tracking/reports.ts';

/** The report both answers are made of. */
const reportOf = (input: RouteInput<'trackedHoursReport'>, { principal, repository }: UseCaseContext<'trackedHoursReport'>) =>
  trackedHoursReport(principal.userId, reportQueryOf(input), { repository, reports: reportRepository });

/** GET /reports/tracked-hours */
export const handler = createHttpHandler(routes.trackedHoursReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, context) => ({ data: trackedHoursView((await reportOf(input, context)).days) }),
  csv: { run: async (input, context) => trackedHoursCsv(await reportOf(input, context), input.workspace_id) },
});
