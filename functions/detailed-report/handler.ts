import * as validators from '../../shared/contracts/generated/validators/detailedReport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { detailedCsv, detailedView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { reportQueryOf } from '../../shared/http/report-query.ts';
import { detailedReport } from '../../shared/tracking/reports.ts';

/** GET /reports/detailed */
export const handler = createHttpHandler(routes.detailedReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const perPage = input.per_page ?? 50;
    const report = await detailedReport(
      principal.userId,
      { ...reportQueryOf(input), perPage, ...(input.cursor === undefined ? {} : { cursor: input.cursor }) },
      { repository, reports: reportRepository },
    );
    return { data: detailedView(report), meta: { pagination: { per_page: perPage, next_cursor: report.nextCursor, has_more: report.nextCursor !== null } } };
  },
  csv: {
    // The whole range, not a page: a file is read whole.
    run: async (input, { principal, repository }) => detailedCsv(await detailedReport(principal.userId, reportQueryOf(input), { repository, reports: reportRepository }), input.workspace_id),
  },
});
