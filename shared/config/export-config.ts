import { checks, envReader, type Env } from './read-env.ts';

/** The export jobs' queue: the route that creates exports sends to it. */
export function loadExportQueueConfig(env: Env = process.env): { queueUrl: string } {
  const read = envReader(env);
  const config = { queueUrl: read.required('EXPORT_QUEUE_URL', checks.url) };
  read.done();
  return config;
}

/** The exports bucket: the worker writes files to it, the route that reads an export presigns their download. */
export function loadExportBucketConfig(env: Env = process.env): { bucket: string } {
  const read = envReader(env);
  const config = { bucket: read.required('EXPORTS_BUCKET', (value) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) ? undefined : 'must be an S3 bucket name')) };
  read.done();
  return config;
}
