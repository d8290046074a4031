import * as validators from '../../shared/contracts/generated/validators/redeliverWebhookMessage.js';
import { routes } from '../../shared/contracts/routes.ts';
import { queuedMessageView } from '../../shared/contracts/views.ts';
import { handlerAdapters, webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { webhookQueue } from '../../shared/messaging/default-webhook-queue.ts';
import { redeliverMessage } from '../../shared/webhooks/subscriptions.ts';

/** POST /webhooks/{id}/deliveries/{message_id}/redeliver */
export const handler = createHttpHandler(routes.redeliverWebhookMessage, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository }) => {
    const message = await redeliverMessage(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id, messageId: input.message_id },
      { repository, webhooks: webhookRepository, log: webhookLog, queue: webhookQueue },
    );
    return { data: queuedMessageView(message) };
  },
});
