import type { KMS } from '@aws-sdk/client-kms';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, getLocalCryptographicMaterialsCache, KmsKeyringNode, NodeCachingMaterialsManager } from '@aws-crypto/client-node';

/** The prefix of a sealed text (an AWS Encryption SDK message, base64): a stored text without it was stored before texts were sealed. */
export const SEALED_PREFIX = 'sealed:v1:';

/** How long an opened data key is reused before KMS is asked again: a delivery function signs many deliveries with one Decrypt. */
const DATA_KEY_CACHE_SECONDS = 300;

const { encrypt, decrypt } = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, maxEncryptedDataKeys: 1 });

/**
 * The encryption context names what a sealed text is: `purpose` (what the key policy and the
 * roles' conditions select by, docs/webhooks.md "Secrets at rest") and whose it is.
 */
export type EncryptionContext = { purpose: string } & Record<string, string>;

export type Envelope = {
  seal(text: string, context: EncryptionContext): Promise<string>;
  /** Throws when the text was sealed under another context (it belongs to something else). */
  open(sealed: string, context: EncryptionContext): Promise<string>;
};

/**
 * Envelope encryption with the AWS Encryption SDK: each text under its own data key from KMS
 * (GenerateDataKey on the stack's key), the data key kept encrypted beside it; opening asks
 * KMS to decrypt the data key (Decrypt), cached for a few minutes. The suite commits to its
 * key and has no signature (the texts are small; one that opens under the expected encryption
 * context is authentic, since KMS binds the context to the data key).
 */
export function createKmsEnvelope(keyArn: string, options: { kms?: KMS } = {}): Envelope {
  // One client for the key's region (the SDK's default otherwise: its endpoint from the environment, as every client here).
  const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, keyIds: [], ...(options.kms ? { clientProvider: () => options.kms! } : {}) });
  const opening = new NodeCachingMaterialsManager({ backingMaterials: keyring, cache: getLocalCryptographicMaterialsCache(100), maxAge: DATA_KEY_CACHE_SECONDS * 1000 });
  return {
    async seal(text, context) {
      const { result } = await encrypt(keyring, text, { encryptionContext: context, suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY });
      return `${SEALED_PREFIX}${result.toString('base64')}`;
    },
    async open(sealed, context) {
      if (!sealed.startsWith(SEALED_PREFIX)) throw new Error('not a sealed text');
      const { plaintext, messageHeader } = await decrypt(opening, Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64'));
      const found = messageHeader.encryptionContext;
      if (Object.entries(context).some(([name, value]) => found[name] !== value)) throw new Error(`the sealed text is not a ${context.purpose} of this owner`);
      return plaintext.toString('utf8');
    },
  };
}
