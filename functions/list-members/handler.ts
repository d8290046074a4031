import * as validators from '../../shared/contracts/generated/validators/listMembers.js';
import { routes } from '../../shared/contracts/routes.ts';
import { memberView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listRecordsSpec } from '../../shared/http/directory-route-specs.ts';

/** GET /workspaces/{workspace_id}/members */
export const handler = createHttpHandler(routes.listMembers, listRecordsSpec<'listMembers'>('member', { adapters: handlerAdapters, validators, directory: directoryRepository }, memberView));
