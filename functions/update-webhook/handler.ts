import * as validators from '../../shared/contracts/generated/validators/updateWebhook.js';
import { routes } from '../../shared/contracts/routes.ts';
import { webhookView } from '../../shared/contracts/views.ts';
import { handlerAdapters, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { setWebhookStatus } from '../../shared/webhooks/subscriptions.ts';

/** PATCH /webhooks/{id} */
export const handler = createHttpHandler(routes.updateWebhook, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const webhook = await setWebhookStatus(principal.userId, { workspaceId: input.workspace_id, id: input.id, status: input.status }, { repository, webhooks: webhookRepository });
    return { data: webhookView(webhook) };
  },
});
