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

/** The size of the CSV parts a run uploads: S3's smallest (5 MiB) deployed; smaller only for the tests (EXPORT_PART_BYTES, on the local S3 server, which takes any). */
export function loadExportPartBytes(env: Env = process.env): number {
  const read = envReader(env);
  const bytes = Number(read.optional('EXPORT_PART_BYTES', String(5 * 1024 * 1024), (value) => (/^\d{4,9}$/.test(value) ? undefined : 'must be a number of bytes, at least 1000')));
  read.done();
  return bytes;
}
