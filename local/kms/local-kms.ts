import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { startAwsJsonEndpoint } from '../aws-json-endpoint.ts';
import { allows, type PolicyStatement } from '../iam/policy-decision.ts';

/**
 * AWS KMS on one machine, for `npm start` and `npm run start:template`: the part of its API
 * envelope encryption uses (GenerateDataKey, Decrypt; JSON protocol, as the AWS SDK sends it
 * to `AWS_ENDPOINT_URL_KMS`), for one symmetric key whose 256 bits are held in a file of the
 * data directory (`webhook-secrets.key`, mode 0600; in memory when the data is), so that
 * secrets sealed by one run open in the next. A data key is encrypted with AES-256-GCM under
 * the key, its encryption context bound as additional data, as KMS binds it: Decrypt with
 * another context fails. Each function reaches it through an endpoint that enforces its
 * role (`kms:GenerateDataKey`, `kms:Decrypt` on the key, `StringEquals` on the encryption
 * context), as IAM would.
 */
const ACCOUNT = '000000000000';
const BLOB_VERSION = Buffer.from('LKMS1');

/** The additional data of a data key: the key it is under and its encryption context, in a canonical order. */
const additionalData = (keyArn: string, context: Record<string, string> = {}) =>
  Buffer.from(
    JSON.stringify([
      keyArn,
      Object.keys(context)
        .sort()
        .map((name) => [name, context[name]]),
    ]),
    'utf8',
  );

async function keyMaterial(keyFile: string | undefined): Promise<Buffer> {
  if (!keyFile) return randomBytes(32);
  if (existsSync(keyFile)) {
    const stored = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64');
    if (stored.length !== 32) throw new Error(`${keyFile} does not hold a 256-bit key (base64): remove it to make a new one, and with it every sealed secret`);
    return stored;
  }
  const fresh = randomBytes(32);
  await writeFile(keyFile, fresh.toString('base64'), { mode: 0o600 });
  await chmod(keyFile, 0o600);
  return fresh;
}

export async function startLocalKms(options: { region: string; keyLogicalId: string; keyFile?: string }) {
  const key = await keyMaterial(options.keyFile);
  const keyArn = `arn:aws:kms:${options.region}:${ACCOUNT}:key/${options.keyLogicalId}`;
  const fronts: Array<{ stop: () => Promise<void> }> = [];

  const seal = (plaintext: Buffer, context: Record<string, string> | undefined) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(additionalData(keyArn, context));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([BLOB_VERSION, iv, cipher.getAuthTag(), sealed]);
  };
  const unseal = (blob: Buffer, context: Record<string, string> | undefined): Buffer | undefined => {
    if (blob.length < BLOB_VERSION.length + 28 || !blob.subarray(0, BLOB_VERSION.length).equals(BLOB_VERSION)) return undefined;
    const iv = blob.subarray(5, 17);
    const tag = blob.subarray(17, 33);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(additionalData(keyArn, context)).setAuthTag(tag);
      return Buffer.concat([decipher.update(blob.subarray(33)), decipher.final()]);
    } catch {
      return undefined;
    }
  };

  const invalidCiphertext = { status: 400, body: { __type: 'InvalidCiphertextException', message: 'The ciphertext or its encryption context is not valid for this key.' } };
  function handle(operation: string, body: Record<string, any>): { status: number; body: unknown } {
    const namesKey = (id: unknown) => id === undefined || id === keyArn || id === options.keyLogicalId;
    if (operation === 'GenerateDataKey') {
      if (!namesKey(body.KeyId)) return { status: 400, body: { __type: 'NotFoundException', message: `Key '${String(body.KeyId)}' does not exist` } };
      const plaintext = randomBytes(Number(body.NumberOfBytes ?? (body.KeySpec === 'AES_128' ? 16 : 32)));
      return { status: 200, body: { KeyId: keyArn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(plaintext, body.EncryptionContext).toString('base64') } };
    }
    // Decrypt
    if (!namesKey(body.KeyId)) return { status: 400, body: { __type: 'IncorrectKeyException', message: 'The key ID in the request does not identify the key that encrypted the ciphertext.' } };
    const plaintext = unseal(Buffer.from(String(body.CiphertextBlob ?? ''), 'base64'), body.EncryptionContext);
    if (!plaintext) return invalidCiphertext;
    return { status: 200, body: { KeyId: keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' } };
  }

  /** An endpoint of the key for one principal, with its permissions (fail closed: anything not allowed, or not served, is refused). */
  async function endpointFor(principal: string, statements: PolicyStatement[]) {
    const front = await startAwsJsonEndpoint({
      targetPrefix: 'TrentService.',
      contentType: 'application/x-amz-json-1.1',
      answer: (operation, parsed) => {
        const served = operation === 'GenerateDataKey' || operation === 'Decrypt';
        // The request's condition keys IAM would see: its encryption context, pair by pair.
        const conditionKeys = Object.fromEntries(Object.entries((parsed?.EncryptionContext ?? {}) as Record<string, string>).map(([name, value]) => [`kms:EncryptionContext:${name}`, String(value)]));
        if (!served || !parsed || !allows(statements, `kms:${operation}`, options.keyLogicalId, keyArn, conditionKeys)) {
          return {
            status: 400,
            body: { __type: 'AccessDeniedException', message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${principal}/local is not authorized to perform: kms:${operation} on resource: ${keyArn}` },
          };
        }
        return handle(operation, parsed);
      },
    });
    fronts.push(front);
    return { endpoint: front.endpoint };
  }

  return {
    keyArn,
    endpointFor,
    stop: async () => {
      for (const front of fronts) await front.stop();
    },
  };
}
