import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
// s3rver's accounts: the access key ids it accepts (it checks a presigned link's expiry, not SigV4 signatures).
import AWSAccount from 's3rver/lib/models/account.js';

/** The exports bucket's name on this machine, in both runtimes. */
export const LOCAL_EXPORTS_BUCKET = 'time-tracking-exports-local';

/**
 * The exports bucket on this machine (docs/local-runtime.md): an S3-compatible server from
 * the registry (s3rver), on loopback, its files under the data directory (a temporary one
 * when the data is in memory), so that a download link works with curl.
 */
export async function startLocalS3(options: { bucket: string; directory: string | undefined; accessKeyIds: readonly string[] }) {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'time-tracking-s3-')));
  await mkdir(directory, { recursive: true });
  for (const accessKeyId of options.accessKeyIds) AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: options.bucket, configs: [] }] });
  const { port } = (await server.run()) as unknown as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    stop: async () => {
      await server.close();
      if (!options.directory) await rm(directory, { recursive: true, force: true });
    },
  };
}
