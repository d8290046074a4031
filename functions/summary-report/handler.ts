import * as validators from '../../shared/contracts/generated/validators/summaryReport.js';
import type { RouteInput } from '../../shared/contracts/route-types.ts';
import { routes } from '../../shared/contracts/routes.ts';
import { summaryCsv, summaryView } from '../../shared/contracts/report-views.ts';
import { handlerAdapters, reportRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler, type UseCaseContext } from '../../shared/http/create-http-handler.ts';
import { reportQueryOf } from '../../shared/http/report-query.ts';
import { paginate } from '../../shared/tracking/pagination.ts';
import { checkedDimensions, summaryReport } from '../../shared/tracking/reports.ts';

/** The report both answers are made of. */
const reportOf = (input: RouteInput<'summaryReport'>, { principal, repository }: UseCaseContext<'summaryReport'>) =>
  summaryReport(principal.userId, { ...reportQueryOf(input), dimensions: checkedDimensions(input.group_by) }, { repository, reports: reportRepository });

/** GET /reports/summary */
export const handler = createHttpHandler(routes.summaryReport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, context) => {
    const report = await reportOf(input, context);
    const page = paginate(report.groups, input.page ?? 1, input.per_page ?? 50);
    return { data: summaryView(report, page.items), meta: { pagination: page.pagination } };
  },
  csv: { run: async (input, context) => summaryCsv(await reportOf(input, context), input.workspace_id, checkedDimensions(input.group_by)) },
});
