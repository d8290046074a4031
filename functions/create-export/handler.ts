import { randomBytes } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as validators from '../../shared/contracts/generated/validators/createExport.js';
import { routes } from '../../shared/contracts/routes.ts';
import { exportView } from '../../shared/contracts/routes/exports.ts';
import { loadExportQueueConfig } from '../../shared/config/export-config.ts';
import { databaseConfig, documentClient, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createExportRepository, exportIdAt } from '../../shared/db/export-repository.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { admittedFirst } from '../../shared/http/rate-limit.ts';
import { exportParametersOf } from '../../shared/http/report-query.ts';
import { createSqsExportQueue } from '../../shared/messaging/sqs-export-queue.ts';
import { createExport, EXPORT_REPOSITORY_ACCESS } from '../../shared/tracking/exports.ts';

const exports = createExportRepository(documentClient, databaseConfig.tableName);
const { queueUrl } = loadExportQueueConfig();
// The queue URL's own host: the same SQS endpoint deployed, and this queue's own endpoint on one machine.
const queue = createSqsExportQueue(new SQSClient({ endpoint: new URL(queueUrl).origin }), queueUrl);

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
      { repository, exports: admittedFirst(exports, EXPORT_REPOSITORY_ACCESS, admitted), queue, now, newId: () => exportIdAt(now.getTime(), randomBytes(12).toString('hex')) },
    );
    return { data: exportView(job), headers: { location: `/exports/${job.exportId}?workspace_id=${job.workspaceId}` } };
  },
});
