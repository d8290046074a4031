import * as validators from '../../shared/contracts/generated/validators/getExport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { exportView } from '../../shared/contracts/routes/exports.ts';
import { loadExportBucketConfig } from '../../shared/config/export-config.ts';
import { databaseConfig, documentClient, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createExportRepository } from '../../shared/db/export-repository.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { s3Client } from '../../shared/storage/s3-client.ts';
import { createS3ExportDownloads } from '../../shared/storage/s3-export-files.ts';
import { EXPORT_REPOSITORY_ACCESS, getExport } from '../../shared/tracking/exports.ts';

const exports = createExportRepository(documentClient, databaseConfig.tableName);
const downloads = createS3ExportDownloads(s3Client, loadExportBucketConfig().bucket);

/** GET /exports/{id} */
export const handler = createHttpHandler(routes.getExport, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, now, repository, admitted }) => {
    const job = await getExport(
      principal.userId,
      { workspaceId: input.workspace_id, exportId: input.id },
      { repository, exports: admittedFirst(exports, EXPORT_REPOSITORY_ACCESS, admitted), downloads, now },
    );
    return { data: exportView(job) };
  },
});
