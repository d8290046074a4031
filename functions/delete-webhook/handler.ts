import * as validators from '../../shared/contracts/generated/validators/deleteWebhook.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { deleteWebhook } from '../../shared/webhooks/subscriptions.ts';

/** DELETE /webhooks/{id} */
export const handler = createHttpHandler(routes.deleteWebhook, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, repository }) => {
    await deleteWebhook(principal.userId, { workspaceId: query.workspace_id, id: query.id }, { repository, webhooks: webhookRepository });
    return { data: { id: query.id, workspace_id: query.workspace_id } };
  },
});
