import { rm } from 'node:fs/promises';
import type { DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal?.stop();
  await (globalThis as { __webhookQueue?: { stop: () => Promise<void> } }).__webhookQueue?.stop();
  await (globalThis as { __kms?: { stop: () => Promise<void> } }).__kms?.stop();
  await (globalThis as { __exportQueue?: { stop: () => Promise<void> } }).__exportQueue?.stop();
  const templates = (globalThis as { __templateCacheDir?: string }).__templateCacheDir;
  if (templates) await rm(templates, { recursive: true, force: true });
}
