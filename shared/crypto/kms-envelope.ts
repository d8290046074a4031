import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The prefix of a sealed text: a stored text without it was stored before texts were sealed. */
export const SEALED_PREFIX = 'sealed:v1:';

/** How long an opened data key is reused before KMS is asked again: a delivery function signs many deliveries with one Decrypt. */
const DATA_KEY_CACHE_MS = 5 * 60 * 1000;
const DATA_KEY_CACHE_ENTRIES = 100;

/**
 * The encryption context names what a sealed text is: `purpose` (what the key policy and the
 * roles' conditions select by, docs/webhooks.md "Secrets at rest") and whose it is.
 */
export type EncryptionContext = { purpose: string } & Record<string, string>;

export type Envelope = {
  seal(text: string, context: EncryptionContext): Promise<string>;
  /** Throws when the text was sealed under another context (it belongs to something else), or is no sealed text. */
  open(sealed: string, context: EncryptionContext): Promise<string>;
};

/** The context as additional authenticated data: the same pairs in one order, whatever order they were given in. */
const additionalData = (context: EncryptionContext) =>
  Buffer.from(
    JSON.stringify(
      Object.keys(context)
        .sort()
        .map((name) => [name, context[name]]),
    ),
    'utf8',
  );

/**
 * Envelope encryption as KMS describes it: each text under its own 256-bit data key
 * (GenerateDataKey on the stack's key, with the text's encryption context), encrypted with
 * AES-256-GCM and that context as additional data; the data key is kept encrypted beside
 * it (`sealed:v1:<encrypted data key>.<iv>.<ciphertext and tag>`, base64url) and the
 * plaintext one is dropped. Opening asks KMS to decrypt the data key with the same context
 * (Decrypt fails for any other: a text moved to another owner does not open), then checks
 * the tag. Opened data keys are kept a few minutes. Written on KMS's and Node's own
 * primitives rather than the AWS Encryption SDK, whose bundle made the cold start of the
 * functions that seal 1.5× slower (docs/performance.md).
 */
export function createKmsEnvelope(keyArn: string, options: { kms?: KMSClient } = {}): Envelope {
  const kms = options.kms ?? new KMSClient({});
  const opened = new Map<string, { key: Buffer; until: number }>();

  async function dataKeyOf(encryptedKey: string, context: EncryptionContext): Promise<Buffer> {
    const cacheKey = `${encryptedKey}|${additionalData(context).toString('base64')}`;
    const cached = opened.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.key;
    const output = await kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: Buffer.from(encryptedKey, 'base64url'), EncryptionContext: context }));
    const key = Buffer.from(output.Plaintext!);
    if (opened.size >= DATA_KEY_CACHE_ENTRIES) opened.delete(opened.keys().next().value!);
    opened.set(cacheKey, { key, until: Date.now() + DATA_KEY_CACHE_MS });
    return key;
  }

  return {
    async seal(text, context) {
      const output = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: context }));
      const key = Buffer.from(output.Plaintext!);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(additionalData(context));
      const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      key.fill(0);
      return `${SEALED_PREFIX}${[Buffer.from(output.CiphertextBlob!), iv, sealed].map((part) => part.toString('base64url')).join('.')}`;
    },
    async open(sealedText, context) {
      const parts = sealedText.startsWith(SEALED_PREFIX) ? sealedText.slice(SEALED_PREFIX.length).split('.') : [];
      if (parts.length !== 3) throw new Error('not a sealed text');
      const [encryptedKey, iv, sealed] = parts as [string, string, string];
      const body = Buffer.from(sealed, 'base64url');
      if (body.length < 16) throw new Error('not a sealed text');
      const decipher = createDecipheriv('aes-256-gcm', await dataKeyOf(encryptedKey, context), Buffer.from(iv, 'base64url'))
        .setAAD(additionalData(context))
        .setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
    },
  };
}
