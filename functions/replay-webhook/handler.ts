import * as validators from '../../shared/contracts/generated/validators/replayWebhook.js';
import { routes } from '../../shared/contracts/routes.ts';
import { randomBytes } from 'node:crypto';
import { handlerAdapters, webhookLog, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { webhookQueue } from '../../shared/messaging/default-webhook-queue.ts';
import { replayWebhook } from '../../shared/webhooks/subscriptions.ts';

/** POST /webhooks/{id}/replay */
export const handler = createHttpHandler(routes.replayWebhook, {
  adapters: handlerAdapters,
  validators,
  run: async (input, { principal, repository, now }) => {
    const replay = await replayWebhook(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id, since: input.since },
      { repository, webhooks: webhookRepository, log: webhookLog, queue: webhookQueue, now, newReplayId: () => `rpl_${randomBytes(12).toString('base64url')}` },
    );
    return { data: { webhook_id: input.id, ...replay } };
  },
});
