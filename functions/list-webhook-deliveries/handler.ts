import * as validators from '../../shared/contracts/generated/validators/listWebhookDeliveries.js';
import { routes } from '../../shared/contracts/routes.ts';
import { deliveryAttemptView } from '../../shared/contracts/views.ts';
import { handlerAdapters, webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { listWebhookDeliveries } from '../../shared/webhooks/subscriptions.ts';

/** GET /webhooks/{id}/deliveries */
export const handler = createHttpHandler(routes.listWebhookDeliveries, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository, now }) => {
    const query = { workspaceId: input.workspace_id, id: input.id, cursor: input.cursor, perPage: input.per_page ?? 20 };
    const page = await listWebhookDeliveries(principal.userId, query, { repository, webhooks: webhookRepository, log: webhookLog, now });
    return { data: page.attempts.map(deliveryAttemptView), meta: { pagination: { per_page: query.perPage, next_cursor: page.nextCursor, has_more: page.nextCursor !== null } } };
  },
});
