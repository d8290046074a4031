import * as validators from '../../shared/contracts/generated/validators/createWebhook.js';
import { routes } from '../../shared/contracts/routes.ts';
import { loadWebhookConfig } from '../../shared/config/webhook-config.ts';
import { webhookAnswerSealer, webhookSecretBox } from '../../shared/crypto/default-secret-box.ts';
import { handlerAdapters, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { createdWebhookView } from '../../shared/contracts/views.ts';
import { newWebhookId, newWebhookSecret } from '../../shared/webhooks/secrets.ts';
import { createWebhook } from '../../shared/webhooks/subscriptions.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';

const { allowLoopbackHttp } = loadWebhookConfig();

/** POST /webhooks */
export const handler = createHttpHandler(routes.createWebhook, {
  adapters: handlerAdapters,
  validators,
  // A retried create answers the first webhook (and its secret) instead of making a second one.
  assertMayReplay: (body, principal, repository) => assertManagesWorkspaceNow(principal.userId, body.workspace_id, repository),
  // The stored answer holds the secret: sealed like the secret itself.
  sealStoredAnswers: webhookAnswerSealer,
  run: async (body, { principal, now, repository }) => {
    const { subscription, secret } = await createWebhook(
      principal.userId,
      { workspaceId: body.workspace_id, url: body.url, events: body.events, description: body.description ?? null },
      { repository, webhooks: webhookRepository, now, newId: newWebhookId, newSecret: newWebhookSecret, secrets: webhookSecretBox, allowLoopbackHttp },
    );
    return { data: createdWebhookView(subscription, secret) };
  },
});
