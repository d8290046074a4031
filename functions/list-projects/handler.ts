import * as validators from '../../shared/contracts/generated/validators/listProjects.js';
import { routes } from '../../shared/contracts/routes.ts';
import { projectView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listRecordsSpec } from '../../shared/http/directory-route-specs.ts';

/** GET /workspaces/{workspace_id}/projects */
export const handler = createHttpHandler(routes.listProjects, listRecordsSpec<'listProjects'>('project', { adapters: handlerAdapters, validators, directory: directoryRepository }, projectView));
