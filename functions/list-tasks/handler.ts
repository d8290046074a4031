import * as validators from '../../shared/contracts/generated/validators/listTasks.js';
import { routes } from '../../shared/contracts/routes.ts';
import { taskView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listRecordsSpec } from '../../shared/http/directory-route-specs.ts';

/** GET /workspaces/{workspace_id}/tasks */
export const handler = createHttpHandler(routes.listTasks, listRecordsSpec<'listTasks'>('task', { adapters: handlerAdapters, validators, directory: directoryRepository }, taskView));
