import * as validators from '../../shared/contracts/generated/validators/listContracts.js';
import { routes } from '../../shared/contracts/routes.ts';
import { contractView } from '../../shared/contracts/views.ts';
import { directoryRepository, handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listRecordsSpec } from '../../shared/http/directory-route-specs.ts';

/** GET /workspaces/{workspace_id}/contracts */
export const handler = createHttpHandler(routes.listContracts, listRecordsSpec<'listContracts'>('contract', { adapters: handlerAdapters, validators, directory: directoryRepository }, contractView));
