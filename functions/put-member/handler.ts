import * as validators from '../../shared/contracts/generated/validators/putMember.js';
import { routes } from '../../shared/contracts/routes.ts';
import { memberView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { putRecordSpec } from '../../shared/http/directory-route-specs.ts';

/** PUT /workspaces/{workspace_id}/members/{user_id} */
export const handler = createHttpHandler(
  routes.putMember,
  putRecordSpec<'putMember'>(
    'member',
    { adapters: handlerAdapters, validators, directory: directoryRepository },
    {
      idOf: (input) => input.user_id,
      fieldsOf: (input) => ({ role: input.role, status: input.status, name: input.name ?? null, email: input.email ?? null }),
      view: memberView,
    },
  ),
);
