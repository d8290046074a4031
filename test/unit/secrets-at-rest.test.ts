import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KMSClient } from '@aws-sdk/client-kms';
import { startLocalKms } from '../../local/kms/local-kms.ts';
import { createKmsEnvelope } from '../../shared/crypto/kms-envelope.ts';
import { createKmsAnswerSealer, createKmsSecretBox, IDEMPOTENT_ANSWER_PURPOSE, WEBHOOK_SECRET_PURPOSE } from '../../shared/crypto/kms-secret-box.ts';
import { newWebhookSecret } from '../../shared/webhooks/secrets.ts';

/**
 * Webhook secrets sealed by envelope encryption (a KMS data key each, AES-256-GCM), against
 * the local KMS (its GenerateDataKey and Decrypt over HTTP, as the SDK calls them), with the
 * roles the stack gives: who may seal, who may open, and what a sealed secret is bound to.
 */
let kms: Awaited<ReturnType<typeof startLocalKms>>;
const clients: KMSClient[] = [];
const clientAt = (endpoint: string) => {
  const client = new KMSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  clients.push(client);
  return client;
};
const purpose = (purposes: string | string[]) => ({ StringEquals: { 'kms:EncryptionContext:purpose': purposes } });

beforeAll(async () => {
  kms = await startLocalKms({ region: 'us-east-1', keyLogicalId: 'WebhookSecretsKey' });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await kms.stop();
});

async function boxAs(statements: Parameters<typeof kms.endpointFor>[1]) {
  const envelope = createKmsEnvelope(kms.keyArn, { kms: clientAt((await kms.endpointFor('role', statements)).endpoint) });
  return { secrets: createKmsSecretBox(envelope), answers: createKmsAnswerSealer(envelope) };
}

describe('webhook secrets at rest', () => {
  const owner = { workspaceId: 1, webhookId: 'wh_a' };

  it('seals a secret so that nothing of it shows, and opens it for its own webhook only', async () => {
    const { secrets } = await boxAs([{ effect: 'Allow', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'] }]);
    const secret = newWebhookSecret();
    const sealed = await secrets.seal(secret, owner);
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain(secret.slice('whsec_'.length, 20));
    expect(Buffer.from(sealed.slice('sealed:v1:'.length), 'base64').toString('latin1')).not.toContain(secret);
    expect(await secrets.open(sealed, owner)).toBe(secret);
    // Copied to another webhook, or another workspace, it does not open.
    await expect(secrets.open(sealed, { workspaceId: 1, webhookId: 'wh_b' })).rejects.toThrow();
    await expect(secrets.open(sealed, { workspaceId: 2, webhookId: 'wh_a' })).rejects.toThrow();
    // Two seals of one secret differ (a data key each).
    expect(await secrets.seal(secret, owner)).not.toBe(sealed);
    // A secret stored before secrets were sealed is read as it is.
    expect(await secrets.open(secret, owner)).toBe(secret);
    // Any changed byte of the ciphertext or its tag is refused.
    const [encryptedKey, iv, body] = sealed.slice('sealed:v1:'.length).split('.') as [string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0]! ^= 1;
    await expect(secrets.open(`sealed:v1:${encryptedKey}.${iv}.${flipped.toString('base64url')}`, owner)).rejects.toThrow();
    await expect(secrets.open('sealed:v1:garbage', owner)).rejects.toThrow(/not a sealed text/);
  });

  it('gives each role only what the stack grants it: the sealers open their stored answers but no secret; the delivery function opens secrets but seals nothing', async () => {
    const sealerRole = await boxAs([
      { effect: 'Allow', actions: ['kms:GenerateDataKey'], resources: [{ 'Fn::GetAtt': ['WebhookSecretsKey', 'Arn'] }], conditions: purpose([WEBHOOK_SECRET_PURPOSE, IDEMPOTENT_ANSWER_PURPOSE]) },
      { effect: 'Allow', actions: ['kms:Decrypt'], resources: [{ 'Fn::GetAtt': ['WebhookSecretsKey', 'Arn'] }], conditions: purpose(IDEMPOTENT_ANSWER_PURPOSE) },
    ]);
    const deliveryRole = await boxAs([{ effect: 'Allow', actions: ['kms:Decrypt'], resources: [{ 'Fn::GetAtt': ['WebhookSecretsKey', 'Arn'] }], conditions: purpose(WEBHOOK_SECRET_PURPOSE) }]);
    const secret = newWebhookSecret();
    const sealed = await sealerRole.secrets.seal(secret, owner);
    await expect(sealerRole.secrets.open(sealed, owner)).rejects.toThrow(/not authorized to perform: kms:Decrypt/);
    expect(await deliveryRole.secrets.open(sealed, owner)).toBe(secret);
    await expect(deliveryRole.secrets.seal(secret, owner)).rejects.toThrow(/not authorized to perform: kms:GenerateDataKey/);
    // A stored idempotent answer: opened by the sealer for its own scope only.
    const scope = { userId: 100, route: 'POST /webhooks', key: 'k-1' };
    const answer = await sealerRole.answers.seal(JSON.stringify({ secret }), scope);
    expect(answer).not.toContain(secret);
    expect(await sealerRole.answers.open(answer, scope)).toBe(JSON.stringify({ secret }));
    await expect(sealerRole.answers.open(answer, { ...scope, userId: 101 })).rejects.toThrow();
    await expect(deliveryRole.answers.open(answer, scope)).rejects.toThrow(/not authorized/);
  });
});
