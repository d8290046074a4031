import { checks, envReader, type Env } from './read-env.ts';

/** The webhook delivery queue (deployed only). */
export function loadQueueConfig(env: Env = process.env): { queueUrl: string } {
  const read = envReader(env);
  const config = { queueUrl: read.required('WEBHOOK_QUEUE_URL', checks.url) };
  read.done();
  return config;
}
