import * as validators from '../../shared/contracts/generated/validators/rotateWebhookSecret.js';
import { routes } from '../../shared/contracts/routes.ts';
import { rotatedWebhookView } from '../../shared/contracts/views.ts';
import { webhookAnswerSealer, webhookSecretBox } from '../../shared/crypto/default-secret-box.ts';
import { handlerAdapters, webhookRepository } from '../../shared/db/default-repositories.ts';
import { createHttpHandler } from '../../shared/http/create-http-handler.ts';
import { assertManagesWorkspaceNow } from '../../shared/tracking/member-access.ts';
import { newWebhookSecret } from '../../shared/webhooks/secrets.ts';
import { rotateWebhookSecret } from '../../shared/webhooks/subscriptions.ts';

/** POST /webhooks/{id}/rotate-secret */
export const handler = createHttpHandler(routes.rotateWebhookSecret, {
  adapters: handlerAdapters,
  validators,
  // A retried rotation answers the first one (and its secret) instead of rotating the old secret out.
  assertMayReplay: (input, principal, repository) => assertManagesWorkspaceNow(principal.userId, input.workspace_id, repository),
  // The stored answer holds the secret: sealed like the secret itself.
  sealStoredAnswers: webhookAnswerSealer,
  run: async (input, { principal, repository, now }) => {
    const rotated = await rotateWebhookSecret(
      principal.userId,
      { workspaceId: input.workspace_id, id: input.id },
      { repository, webhooks: webhookRepository, now, newSecret: newWebhookSecret, secrets: webhookSecretBox },
    );
    return { data: rotatedWebhookView(rotated.subscription, rotated.secret) };
  },
});
