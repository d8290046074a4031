import * as validators from '../../shared/contracts/generated/validators/summaryReport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { summaryCsv, summaryView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { reportQueryOf } from '../../shared/http/report-query.ts';
import { paginate } from '../../shared/tracking/pagination.ts';
import { checkedDimensions, summaryReport } from '../../shared/tracking/reports.ts';

/** GET /reports/summary */
export const handler = createHttpHandler(routes.summaryReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const report = await summaryReport(principal.userId, { ...reportQueryOf(input), dimensions: checkedDimensions(input.group_by) }, { repository, reports: reportRepository });
    const page = paginate(report.groups, input.page ?? 1, input.per_page ?? 50);
    return { data: summaryView(report, page.items), meta: { pagination: page.pagination } };
  },
  csv: {
    run: async (input, { principal, repository }) => {
      const dimensions = checkedDimensions(input.group_by);
      const report = await summaryReport(principal.userId, { ...reportQueryOf(input), dimensions }, { repository, reports: reportRepository });
      return summaryCsv(report, input.workspace_id, dimensions);
    },
  },
});
