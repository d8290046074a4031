import * as validators from '../../shared/contracts/generated/validators/testWebhook.js';
import { routes } from '../../shared/contracts/routes.ts';
import { queuedMessageView } from '../../shared/contracts/views.ts';
import { handlerAdapters, webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { webhookQueue } from '../../shared/messaging/default-webhook-queue.ts';
import { newMessageId } from '../../shared/webhooks/secrets.ts';
import { sendTestEvent } from '../../shared/webhooks/subscriptions.ts';

/** POST /webhooks/{id}/test */
export const handler = createHttpHandler(routes.testWebhook, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository, now }) => {
    const message = await sendTestEvent(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id },
      { repository, webhooks: webhookRepository, log: webhookLog, queue: webhookQueue, now, newMessageId },
    );
    return { data: queuedMessageView(message) };
  },
});
