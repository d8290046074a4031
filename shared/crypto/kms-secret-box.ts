import { createHash } from 'node:crypto';
import type { AnswerSealer, IdempotencyScope } from '../ports/idempotency-store.ts';
import type { SecretBox, SecretOwner } from '../webhooks/model.ts';
import { SEALED_PREFIX, type Envelope } from './kms-envelope.ts';

/** What the key policy lets the delivery function alone decrypt (infra: `kms:EncryptionContext:purpose`). */
export const WEBHOOK_SECRET_PURPOSE = 'webhook-secret';

const contextOf = (owner: SecretOwner) => ({ purpose: WEBHOOK_SECRET_PURPOSE, workspace_id: String(owner.workspaceId), webhook_id: owner.webhookId });

/**
 * Webhook secrets sealed under the stack's key, each bound to its webhook by its encryption
 * context: a sealed secret copied to another webhook does not open.
 */
export function createKmsSecretBox(envelope: Envelope): SecretBox {
  return {
    seal: (secret, owner) => envelope.seal(secret, contextOf(owner)),
    // Webhooks created before secrets were sealed keep their plaintext until rotated.
    open: (sealed, owner) => (sealed.startsWith(SEALED_PREFIX) ? envelope.open(sealed, contextOf(owner)) : Promise.resolve(sealed)),
  };
}

/** What the roles that seal webhook secrets may also decrypt: their own stored answers, to replay them (infra). */
export const IDEMPOTENT_ANSWER_PURPOSE = 'idempotent-answer';

/** Stored idempotent answers that hold a webhook secret, sealed, each bound to its caller, route and key. */
export function createKmsAnswerSealer(envelope: Envelope): AnswerSealer {
  const contextOf = (scope: IdempotencyScope) => ({
    purpose: IDEMPOTENT_ANSWER_PURPOSE,
    user_id: String(scope.userId),
    route: scope.route,
    key_sha256: createHash('sha256').update(scope.key).digest('hex'),
  });
  return {
    seal: (body, scope) => envelope.seal(body, contextOf(scope)),
    open: (sealed, scope) => envelope.open(sealed, contextOf(scope)),
  };
}
