import * as validators from '../../shared/contracts/generated/validators/listWebhooks.js';
import { routes } from '../../shared/contracts/routes.ts';
import { handlerAdapters, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { webhookView } from '../../shared/contracts/views.ts';
import { listWebhooks } from '../../shared/webhooks/subscriptions.ts';

/** GET /webhooks */
export const handler = createHttpHandler(routes.listWebhooks, {
  adapters: handlerAdapters,
  validators,
  run: async (query, { principal, repository }) => {
    const page = await listWebhooks(principal.userId, { workspaceId: query.workspace_id, page: query.page ?? 1, perPage: query.per_page ?? 20 }, { repository, webhooks: webhookRepository });
    return { data: page.webhooks.map(webhookView), meta: { pagination: page.pagination } };
  },
});
