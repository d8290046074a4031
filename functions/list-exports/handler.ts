import * as validators from '../../shared/contracts/generated/validators/listExports.js';
import { routes } from '../../shared/contracts/routes.ts';
import { exportView } from '../../shared/contracts/routes/exports.ts';
import { databaseConfig, documentClient, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createExportRepository } from '../../shared/db/export-repository.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { EXPORT_REPOSITORY_ACCESS, listExports } from '../../shared/tracking/exports.ts';

const exports = createExportRepository(documentClient, databaseConfig.tableName);

/** GET /exports */
export const handler = createHttpHandler(routes.listExports, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, admitted }) => {
    const perPage = input.per_page ?? 20;
    const page = await listExports(
      principal.userId,
      { workspaceId: input.workspace_id, perPage, ...(input.cursor === undefined ? {} : { cursor: input.cursor }) },
      { repository, exports: admittedFirst(exports, EXPORT_REPOSITORY_ACCESS, admitted), now },
    );
    return { data: page.jobs.map(exportView), meta: { pagination: { per_page: perPage, next_cursor: page.nextCursor, has_more: page.nextCursor !== null } } };
  },
});
