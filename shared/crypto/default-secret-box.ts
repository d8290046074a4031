import { loadSecretsConfig } from '../config/secrets-config.ts';
import { createKmsEnvelope } from './kms-envelope.ts';
import { createKmsAnswerSealer, createKmsSecretBox } from './kms-secret-box.ts';

/** The container's envelope over the stack's key, from validated configuration: only the functions that seal or open a webhook secret import it. */
export const envelope = createKmsEnvelope(loadSecretsConfig().keyArn);
export const webhookSecretBox = createKmsSecretBox(envelope);
export const webhookAnswerSealer = createKmsAnswerSealer(envelope);
