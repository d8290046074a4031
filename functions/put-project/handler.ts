import * as validators from '../../shared/contracts/generated/validators/putProject.js';
import { routes } from '../../shared/contracts/routes.ts';
import { projectView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { putRecordSpec } from '../../shared/http/directory-route-specs.ts';

/** PUT /workspaces/{workspace_id}/projects/{project_id} */
export const handler = createHttpHandler(
  routes.putProject,
  putRecordSpec<'putProject'>(
    'project',
    { adapters: handlerAdapters, validators, directory: directoryRepository },
    {
      idOf: (input) => input.project_id,
      fieldsOf: (input) => ({ name: input.name, status: input.status }),
      view: projectView,
    },
  ),
);
