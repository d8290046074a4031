import { envReader, type Env } from './read-env.ts';

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/** The KMS key that webhook secrets are sealed under (the stack's; a local one on this machine). */
export function loadSecretsConfig(env: Env = process.env): { keyArn: string } {
  const read = envReader(env);
  const config = { keyArn: read.required('WEBHOOK_SECRETS_KEY_ARN', (value) => (KMS_KEY_ARN.test(value) ? undefined : 'must be the ARN of a KMS key')) };
  read.done();
  return config;
}
