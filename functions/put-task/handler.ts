import * as validators from '../../shared/contracts/generated/validators/putTask.js';
import { routes } from '../../shared/contracts/routes.ts';
import { taskView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { putRecordSpec } from '../../shared/http/directory-route-specs.ts';

/** PUT /workspaces/{workspace_id}/tasks/{task_id} */
export const handler = createHttpHandler(
  routes.putTask,
  putRecordSpec<'putTask'>(
    'task',
    { adapters: handlerAdapters, validators, directory: directoryRepository },
    {
      idOf: (input) => input.task_id,
      fieldsOf: (input) => ({ project_id: input.project_id, title: input.title, status: input.status }),
      view: taskView,
    },
  ),
);
