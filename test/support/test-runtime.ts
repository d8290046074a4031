import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Seed } from '../../admin/seed.ts';
import { createTestTable } from './dynamo.ts';
import { startFaultProxy } from './dynamo-fault-proxy.ts';
import { startLocalServer } from './local-server.ts';
import { startTestIssuer } from './test-issuer.ts';

/**
 * `npm start`'s runtime for one test file: its own table loaded with `seed`, a test JWKS
 * issuer, and optionally the fault-injecting proxy between the runtime and DynamoDB Local.
 * `stop()` stops everything it started, by pid, in reverse order.
 */
export async function startTestRuntime(options: { name: string; seed: Seed; env?: Record<string, string>; faultProxy?: boolean }) {
  const table = await createTestTable(options.name);
  const proxy = options.faultProxy ? await startFaultProxy(process.env.DYNAMODB_ENDPOINT!) : undefined;
  const issuer = await startTestIssuer();
  const dir = await mkdtemp(join(tmpdir(), `${options.name}-`));
  const seedFile = join(dir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(options.seed));
  const server = await startLocalServer({
    ...issuer.env(),
    DYNAMODB_ENDPOINT: proxy?.endpoint ?? process.env.DYNAMODB_ENDPOINT!,
    TABLE_NAME: table.tableName,
    SEED_FILE: seedFile,
    ...options.env,
  });
  return {
    table,
    proxy,
    issuer,
    server,
    stop: async () => {
      await server.stop();
      await proxy?.close();
      await issuer.close();
      await table.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
