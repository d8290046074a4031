import * as validators from '../../shared/contracts/generated/validators/getWorkspaceSettings.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { workspaceSettingsView } from '../../shared/contracts/views.ts';
import { getWorkspaceSettings } from '../../shared/tracking/workspace-settings.ts';

/** GET /workspaces/{workspace_id}/settings */
export const handler = createHttpHandler(routes.getWorkspaceSettings, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => ({ data: workspaceSettingsView(await getWorkspaceSettings(principal.userId, input.workspace_id, { repository })) }),
});
