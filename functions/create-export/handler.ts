import { randomBytes } from 'node:crypto';
import * as validators from '../../shared/contracts/generated/validators/createExport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { exportView } from '../../shared/contracts/routes/exports.ts';
import { databaseConfig, documentClient, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createExportRepository, exportIdAt } from '../../shared/db/export-repository.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { exportParametersOf } from '../../shared/http/report-query.ts';
import { exportQueue } from '../../shared/messaging/default-export-queue.ts';
import { createExport, EXPORT_REPOSITORY_ACCESS } from '../../shared/tracking/exports.ts';

const exports = createExportRepository(documentClient, databaseConfig.tableName);

/** POST /exports */
export const handler = createHttpHandler(routes.createExport, {
  adapters: handlerAdapters,
  validators,
  // A stored answer is replayed only to whom still manages the workspace.
  assertMayReplay: (body, principal, repository) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, repository),
  run: async (body, { principal, now, repository, admitted }) => {
    const { parameters, checkWithSettings } = exportParametersOf(body);
    const job = await createExport(
      principal.userId,
      { workspaceId: body.workspace_id, report: body.report, format: body.format, parameters, checkParameters: checkWithSettings },
      { repository, exports: admittedFirst(exports, EXPORT_REPOSITORY_ACCESS, admitted), queue: exportQueue, now, newId: () => exportIdAt(now.getTime(), randomBytes(12).toString('hex')) },
    );
    return { data: exportView(job), headers: { location: `/exports/${job.exportId}?workspace_id=${job.workspaceId}` } };
  },
});
