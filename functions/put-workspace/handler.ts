import * as validators from '../../shared/contracts/generated/validators/putWorkspace.js';
import { routes } from '../../shared/contracts/routes.ts';
import { workspaceView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { putRecordSpec } from '../../shared/http/directory-route-specs.ts';

/** PUT /workspaces/{workspace_id} */
export const handler = createHttpHandler(
  routes.putWorkspace,
  putRecordSpec<'putWorkspace'>(
    'workspace',
    { adapters: handlerAdapters, validators, directory: directoryRepository },
    {
      idOf: (input) => input.workspace_id,
      fieldsOf: (input) => ({ name: input.name }),
      ownerOf: (input) => input.owner_user_id,
      view: workspaceView,
    },
  ),
);
